// Issue 16, progressive rollouts on the docker runtime, end to end: a real server, the real Docker
// Engine, four replicas of the test web image rolled from v1 to v2 in steps (1 container, a
// pause, 2 containers, a pause, every container) with the default start-first update (one surge
// container at a time, an old one retired once its replacement serves). `promote` ends the pauses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { answer, instanceOf, release, singleChannelConfig, suiteContainers, suiteTag, sweepSuite, waitStatus } from '../helpers/docker-e2e.js';
import { dockerForTests, type Dockerd } from '../helpers/dockerd.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };
const STEPS = '{ steps: [{ replicas: 1 }, { pause: 1h }, { replicas: 2 }, { pause: 1h }, { percent: 100 }] }';

let daemon: Dockerd;
const tags: string[] = [];
beforeAll(async () => {
  daemon = await dockerForTests();
}, 180_000);
afterAll(async () => {
  for (const tag of tags) await sweepSuite(daemon.docker, tag);
});

const STEP = `{ application(name: "stepped") { releaseChannels { instances { rolloutStep { step of kind replicas reachedAt } } } } }`;

describe('docker runtime: progressive rollouts (issue 16)', () => {
  it('takes four containers through steps 1 → 2 → all, the old release serving the rest', { timeout: 180_000 }, async () => {
    const tag = suiteTag('rollout-steps');
    tags.push(tag);
    // replicas + maxSurge slots: a start-first rollout moves a replica to a free slot's port.
    const port = await freePortRange(5);
    const ports = [0, 1, 2, 3, 4].map((i) => port + i);
    await using server: TestServer = await startTestServer({ engine: FAST });
    const documents = singleChannelConfig({ endpoint: daemon.endpoint, tag, app: 'stepped', port, replicas: 4 }).replace(
      `constants: { port: ${port} } }`,
      `constants: { port: ${port} }, rollout: ${STEPS} }`,
    );
    const served = async () => (await Promise.all(ports.map(answer))).filter((a) => a !== undefined);
    /** What the containers serve (each answers with its VERSION), and how many containers exist. */
    const versions = async () => {
      const answers = await served();
      const count = (v: string) => answers.filter((a) => a === `hello from ${v} in staging`).length;
      return { v1: count('v1'), v2: count('v2'), total: (await suiteContainers(daemon.docker, tag)).length };
    };
    const pausedAt = (step: number) =>
      waitFor(async () => {
        const at = (await server.data(STEP)).application.releaseChannels[0].instances[0].rolloutStep;
        return at?.step === step && at.kind === 'PAUSE' && at.reachedAt !== null ? at : undefined;
      }, `the rollout to pause at step ${step}`, 90_000, 150).catch(async (err) => {
        throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await instanceOf(server, 'stepped'))}`);
      });
    const promote = async () => {
      const res = await server.data(`mutation { promoteRollout(input: { application: "stepped", service: "web", channel: "staging" }) { userErrors { code message } } }`);
      expect(res.promoteRollout.userErrors).toEqual([]);
    };
    let most = 0;
    let watching = false;
    let watcher: Promise<void> | undefined;
    try {
      expect((await server.data(APPLY_CONFIG, { documents })).applyConfig.userErrors).toEqual([]);
      await release(server, 'stepped', { version: 'v1' });
      await waitStatus(server, 'stepped', 'staging', 'CONVERGED', 'v1', 90_000);
      expect(await versions()).toEqual({ v1: 4, v2: 0, total: 4 });

      // start-first with the default maxSurge 1: never more than replicas + 1 containers at once.
      watching = true;
      watcher = (async () => {
        while (watching) {
          most = Math.max(most, (await suiteContainers(daemon.docker, tag)).length);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await release(server, 'stepped', { version: 'v2' });
      const first = await pausedAt(2);
      expect(first).toMatchObject({ of: 5, replicas: 1 });
      // The pause holds: a few more ticks change nothing.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await versions()).toEqual({ v1: 3, v2: 1, total: 4 });
      const now = await instanceOf(server, 'stepped');
      expect(now.status).toBe('CONVERGING');
      expect(now.observed.objects[0]).toMatchObject({ status: 'SUCCEEDED', message: expect.stringMatching(/^step 2 of 5: 1 of 1 replica on \S+ available, 3 containers of the release before/) });

      await promote();
      await pausedAt(4);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await versions()).toEqual({ v1: 2, v2: 2, total: 4 });

      // The last step is sent without `step`: every replica, then an ordinary finish.
      await promote();
      await waitStatus(server, 'stepped', 'staging', 'CONVERGED', 'v2', 90_000);
      watching = false;
      await watcher;
      expect(await versions()).toEqual({ v1: 0, v2: 4, total: 4 });
      expect(most).toBeGreaterThanOrEqual(4);
      expect(most).toBeLessThanOrEqual(5);
      expect((await served()).every((a) => a === 'hello from v2 in staging')).toBe(true);
    } finally {
      watching = false;
      await watcher;
      await server.data(`mutation { deleteApplication(input: { name: "stepped" }) { userErrors { message } } }`).catch(() => undefined);
      await waitFor(async () => (await suiteContainers(daemon.docker, tag)).length === 0, 'the containers to be removed', 60_000, 200);
    }
  });
});
