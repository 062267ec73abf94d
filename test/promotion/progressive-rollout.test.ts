import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { runCli } from '../cli/run-cli.js';
import { answer, checkEndpoint, events, release, removeShop } from '../safety/shop.js';

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/flaky');

/**
 * Four replicas on local processes, released in four steps: 1 replica; 50 % (2) with an httpCheck
 * analysis; a long pause (on 2 replicas); every replica. The first deploy goes straight to 4.
 */
function config(basePort: number, checkUrl: string): string {
  return `kind: Runtime
name: local
plugin: process
config: {}
---
kind: Application
name: shop
releaseChannels:
  - name: production
    runtime: local
    rollout:
      steps:
        - replicas: 1
        - percent: 50
          analysis:
            - httpCheck: { url: "${checkUrl}", expectStatus: 200, duration: 2s, intervalSeconds: 1 }
        - pause: 1h
        - percent: 100
---
kind: Service
name: web
application: shop
parameters: [{ name: version, required: true }]
spec:
  command: node
  args: [server.js]
  cwd: ${APP_DIR}
  env: { VERSION: "{{ params.version }}", CHANNEL: "{{ channel.name }}" }
  basePort: ${basePort}
  replicas: 4
  healthCheck: { path: /healthz, timeoutSeconds: 5 }
stabilizationWindow: 1s
`;
}

const INSTANCE = `{ application(name: "shop") { releaseChannels { instances { status reasons { code message } convergedRelease { label }
  rolloutStep { step of kind replicas percent reachedAt endsAt release { label } } } } } }`;

interface Instance {
  status: string;
  reasons: { code: string; message: string }[];
  convergedRelease: { label: string } | null;
  rolloutStep: { step: number; of: number; kind: string; replicas: number; percent: number | null; reachedAt: string | null; endsAt: string | null; release: { label: string } } | null;
}

describe('progressive rollouts on local processes', () => {
  let server: TestServer;
  let endpoint: Awaited<ReturnType<typeof checkEndpoint>>;
  let ports: number[];

  const instance = async (): Promise<Instance> => (await server.data(INSTANCE)).application.releaseChannels[0].instances[0];
  const until = async (what: string, ok: (i: Instance) => boolean, timeoutMs = 60_000): Promise<Instance> => {
    let last: Instance | undefined;
    return waitFor(async () => ((last = await instance()), ok(last) ? last : undefined), what, timeoutMs, 100).catch((err: Error) => {
      throw new Error(`${err.message}; it was ${JSON.stringify(last)}`);
    });
  };
  /** What each of the four replicas answers (its VERSION), in port order. */
  const answers = async () => Promise.all(ports.map(answer));
  const count = (list: (string | undefined)[], version: string) => list.filter((a) => a?.includes(version)).length;
  const atStep = (step: number, kind: string) => (i: Instance) => i.rolloutStep?.step === step && i.rolloutStep.kind === kind && i.rolloutStep.reachedAt !== null;
  const promote = async () => (await server.data(`mutation { promoteRollout(input: { application: "shop", service: "web", channel: "production" }) { skipped userErrors { code message } } }`)).promoteRollout;

  beforeAll(async () => {
    server = await startTestServer();
    endpoint = await checkEndpoint();
    const base = await freePortRange(4);
    ports = [0, 1, 2, 3].map((i) => base + i);
    const res = await server.data(APPLY_CONFIG, { documents: config(base, endpoint.url) });
    expect(res.applyConfig.userErrors).toEqual([]);
    await release(server, { version: 'v1' });
    await until('v1 converged on 4 replicas (a first deploy takes no steps)', (i) => i.status === 'CONVERGED' && i.convergedRelease?.label === 'v1');
    expect(count(await answers(), 'v1')).toBe(4);
  }, 120_000);

  afterAll(async () => {
    if (server) await removeShop(server, ports ?? []);
    await endpoint?.close();
    await server?.close();
  }, 90_000);

  it('takes a release through 1 → 2 → 4 replicas, with analysis and a pause, shown at each step; promote skips the pause', async () => {
    await release(server, { version: 'v2' });

    // Step 2 (50 %): two replicas on v2, analysing; the step before (1 replica) was reached on the way.
    const analysing = await until('v2 at step 2 analysing', atStep(2, 'REPLICAS'));
    expect(analysing.rolloutStep).toMatchObject({ of: 4, replicas: 2, percent: 50, release: { label: 'v2' } });
    expect(analysing.status).toBe('CONVERGING');
    expect(analysing.reasons[0]!.code).toBe('ROLLOUT_STEP');
    expect(analysing.reasons[0]!.message).toMatch(/^v2, step 2 of 4: 50 % \(2 replicas\), analysing.*, \d+s left/);
    let now = await answers();
    expect([count(now, 'v2'), count(now, 'v1')]).toEqual([2, 2]);

    // Step 3: the pause holds on two replicas until promoted (it is an hour long).
    const paused = await until('v2 paused at step 3', atStep(3, 'PAUSE'));
    expect(paused.rolloutStep).toMatchObject({ of: 4, replicas: 2 });
    expect(paused.reasons[0]!.message).toMatch(/^v2, step 3 of 4: pause, paused on 2 replicas, (59m \d+s|1h) left/);
    await new Promise((r) => setTimeout(r, 1_500));
    now = await answers();
    expect([count(now, 'v2'), count(now, 'v1')]).toEqual([2, 2]);
    expect((await instance()).rolloutStep?.step).toBe(3);
    const status = await runCli(['status', 'shop'], { url: server.url });
    expect(status.stdout).toMatch(/production\s+web\s+CONVERGING\s+v1 → v2\s+v2, step 3 of 4: pause, paused on 2 replicas/);

    const promoted = await runCli(['promote', 'shop/web', '--channel', 'production'], { url: server.url });
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toBe('Promoted shop/web in production: skipping the rest of step 3 of 4: pause; the next step starts now.\n');
    const converged = await until('v2 converged on every replica', (i) => i.status === 'CONVERGED' && i.convergedRelease?.label === 'v2');
    expect(converged.rolloutStep).toBeNull();
    expect(count(await answers(), 'v2')).toBe(4);

    const log = (await events(server)).filter((e) => e.type.startsWith('ROLLOUT_STEP') || e.type === 'ROLLOUT_PROMOTE_REQUESTED').map((e) => e.message);
    expect(log).toEqual([
      'v2 in production reached step 1 of 4: 1 replica',
      expect.stringMatching(/^v2 in production: step 2 of 4: 50 % \(2 replicas\) \(step 1 of 4: 1 replica done: its replicas are up\)$/),
      'v2 in production reached step 2 of 4: 50 % (2 replicas)',
      expect.stringMatching(/^v2 in production: step 3 of 4: pause \(step 2 of 4: 50 % \(2 replicas\) done: analysis passed for 2s\)$/),
      'v2 in production reached step 3 of 4: pause',
      expect.stringMatching(/promoted v2 in production past step 3 of 4: pause$/),
      expect.stringMatching(/^v2 in production: step 4 of 4: 100 % \(4 replicas\) \(step 3 of 4: pause done: .* promoted it\)$/),
    ]);
    // Nothing is left to promote once every replica runs it.
    expect((await promote()).userErrors[0].code).toBe('NOT_ROLLING_OUT');
  }, 120_000);

  it('rolls back with the reason when the analysis at step 2 fails', async () => {
    await release(server, { version: 'v3' });
    await until('v3 at step 2 analysing', atStep(2, 'REPLICAS'));
    endpoint.fail(true);
    const back = await until('v3 rolled back', (i) => i.status === 'ROLLED_BACK', 60_000);
    endpoint.fail(false);
    expect(back.convergedRelease?.label).toBe('v2');
    expect(back.reasons[0]!.code).toBe('RELEASE_MARKED_BAD');
    expect(back.reasons[0]!.message).toMatch(/^v3 failed here \(analysis failed at step 2 of 4: 50 % \(2 replicas\): GET http:\/\/127\.0\.0\.1:\d+\/healthz: .*\), was rolled back to v2/);
    await waitFor(async () => count(await answers(), 'v2') === 4 || undefined, 'every replica back on v2', 30_000, 100);
    const failed = (await events(server)).find((e) => e.type === 'RELEASE_FAILED' && e.message.startsWith('v3'));
    expect(failed?.message).toContain('analysis failed at step 2 of 4');
  }, 120_000);

  it('abort stops a rollout in steps and rolls back', async () => {
    await release(server, { version: 'v4' });
    await until('v4 paused at step 3', atStep(3, 'PAUSE'));
    const aborted = await runCli(['abort', 'shop/web', '--channel', 'production', '--reason', 'error rate'], { url: server.url });
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(aborted.stdout).toBe('Aborted v4 in production: rolling back to v2; v4 is marked bad there.\n');
    const back = await until('v4 aborted', (i) => i.status === 'ROLLED_BACK');
    expect(back.reasons[0]).toMatchObject({ code: 'ROLLED_BACK_BY_USER' });
    expect(back.reasons[0]!.message).toMatch(/v4 was rolled back by .* \(rollout aborted at step 3 of 4: pause\)/);
    await waitFor(async () => count(await answers(), 'v2') === 4 || undefined, 'every replica back on v2', 30_000, 100);
    // Nothing rolls out now: nothing to abort.
    const again = await server.data(`mutation { abortRollout(input: { application: "shop", service: "web", channel: "production" }) { rollbacks { channel } userErrors { code message } } }`);
    expect(again.abortRollout.rollbacks).toEqual([]);
    expect(again.abortRollout.userErrors[0]).toMatchObject({ code: 'NOT_ROLLING_OUT', message: expect.stringContaining('nothing rolls out of web in production now') });
  }, 120_000);

  it('refuses steps at applyConfig for a plugin that cannot run them, and changes nothing', async () => {
    const exec = `kind: Runtime
name: scripts
plugin: exec
config: {}
---
kind: Application
name: infra
releaseChannels:
  - name: production
    runtime: scripts
    rollout: { steps: [{ replicas: 1 }, { pause: 1m }, { replicas: 2 }] }
---
kind: Service
name: db
application: infra
spec:
  fetch: { command: ["true"] }
  apply: { command: ["true"] }
`;
    const res = await server.data(APPLY_CONFIG, { documents: exec });
    const refused = res.applyConfig.userErrors.find((e: { message: string }) => e.message.includes('rolloutSteps'));
    expect(refused, JSON.stringify(res.applyConfig.userErrors)).toBeDefined();
    expect(refused.message).toMatch(/channel production sets rollout\.steps, but runtime scripts uses plugin "exec", which cannot run a release in steps/);
    // Without spec.replicas the last written step is the final one: a pause there is refused too.
    const trailing = await server.data(APPLY_CONFIG, { documents: exec.replace(', { replicas: 2 }] }', '] }') });
    expect(trailing.applyConfig.userErrors.map((e: { message: string }) => e.message)).toContainEqual(expect.stringMatching(/rollout\.steps\[1\]: the last step runs every replica, so it cannot be a pause/));
    const apps = await server.data(`{ applications { nodes { name } } }`);
    expect(apps.applications.nodes.map((a: { name: string }) => a.name)).not.toContain('infra');
  });
});
