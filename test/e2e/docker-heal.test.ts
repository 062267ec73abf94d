// Hand edits of a converged docker service, end to end through a real server: a container killed
// by hand is healed, and a container edited by hand (`docker update`) is reported drifted, with
// what changed, and healed. The engine's own events say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { answer, events, instanceOf, release, singleChannelConfig, suiteContainers, suiteTag, sweepSuite, waitStatus } from '../helpers/docker-e2e.js';
import { dockerForTests, type Dockerd } from '../helpers/dockerd.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

let daemon: Dockerd;
const tags: string[] = [];
beforeAll(async () => {
  daemon = await dockerForTests();
});
afterAll(async () => {
  for (const tag of tags) await sweepSuite(daemon.docker, tag);
});

/** Pausing waits for the instance to show PAUSED: a tick that began before the pause has ended then. */
async function pause(server: TestServer, paused: boolean): Promise<void> {
  const verb = paused ? 'pauseConvergence' : 'resumeConvergence';
  const res = await server.data(`mutation { ${verb}(input: { application: "heal" }) { userErrors { message } } }`);
  expect(res[verb].userErrors).toEqual([]);
  if (paused) await waitFor(async () => (await instanceOf(server, 'heal', 'staging')).status === 'PAUSED', 'the instance to be paused', 15_000, 50);
}

/** Waits until the instance carries a reason with this code whose message matches. */
async function waitReason(server: TestServer, code: string, message: RegExp): Promise<any> {
  return waitFor(async () => {
    const i = await instanceOf(server, 'heal', 'staging');
    return i.reasons.some((r: any) => r.code === code && message.test(r.message)) ? i : undefined;
  }, `a ${code} reason matching ${message}`, 30_000, 100).catch(async (err) => {
    throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await instanceOf(server, 'heal', 'staging'))}`);
  });
}

describe.each(DATABASES)('docker runtime: hand edits are healed (%s)', (database) => {
  it('a container killed by hand is replaced; one edited by hand is reported drifted with what changed and replaced', { timeout: 120_000 }, async () => {
    const tag = suiteTag('heal');
    tags.push(tag);
    const port = await freePortRange(3);
    await using server = await startTestServer({ database, engine: FAST });
    try {
      const applied = await server.data(APPLY_CONFIG, { documents: singleChannelConfig({ endpoint: daemon.endpoint, tag, app: 'heal', port }) });
      expect(applied.applyConfig.userErrors).toEqual([]);
      await release(server, 'heal', { version: 'v1' });
      await waitStatus(server, 'heal', 'staging', 'CONVERGED', 'v1');

      // Killed by hand. Paused, the engine still fetches and says why, but does not apply yet.
      await pause(server, true);
      const [victim] = await suiteContainers(daemon.docker, tag);
      await daemon.docker.getContainer(victim!.Id).kill();
      const down = await waitReason(server, 'UNHEALTHY', /was killed \(exit code 137, SIGKILL\); last log lines: web: serving v1 on 127\.0\.0\.1:\d+/);
      expect(down.reasons.map((r: any) => r.code)).toEqual(['PAUSED_BY_USER', 'DRIFT_DETECTED', 'UNHEALTHY']);
      await pause(server, false);
      // Resumed from PAUSED, the repair is an apply whose message says what it did.
      const healed = await waitFor(async () => (await events(server, 'heal')).find((e) => e.type === 'INSTANCE_APPLIED' && /removed replica/.test(e.message)), 'the repair', 30_000, 100);
      expect(healed.message).toMatch(/^applied v1 in staging: removed replica \d of \S+ \(container heal-staging-web-\d-[0-9a-f]{6}\): it was killed \(exit code 137, SIGKILL\); started replica \d of /);
      await waitStatus(server, 'heal', 'staging', 'CONVERGED', 'v1');
      let now = await suiteContainers(daemon.docker, tag);
      expect(now.map((c) => c.Id)).not.toContain(victim!.Id);
      expect(now.filter((c) => c.State === 'running')).toHaveLength(2);
      const answers = await Promise.all([port, port + 1, port + 2].map(answer));
      expect(answers.filter((a) => a === 'hello from v1 in staging')).toHaveLength(2);

      // Edited by hand: a memory limit set with `docker update`.
      await pause(server, true);
      const edited = now[0]!;
      await daemon.docker.getContainer(edited.Id).update({ Memory: 64 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024 });
      const drifted = await waitReason(server, 'DRIFT_DETECTED', /drifted: its memory limit is 64 MiB, Driftless set none/);
      expect(drifted.observed.objects[0].versions[0]).toMatchObject({ drifted: true, availableReplicas: 2 });
      await pause(server, false);
      const repaired = await waitFor(async () => (await events(server, 'heal')).filter((e) => e.type === 'INSTANCE_APPLIED' && /removed replica/.test(e.message)).length >= 2, 'the second repair', 30_000, 100);
      expect(repaired).toBe(true);
      const said = (await events(server, 'heal')).filter((e) => e.type === 'INSTANCE_STATUS_CHANGED' && /memory limit is 64 MiB/.test(e.message));
      expect(said[0]?.message).toMatch(/drifted from what was applied: .*its memory limit is 64 MiB, Driftless set none/);
      await waitStatus(server, 'heal', 'staging', 'CONVERGED', 'v1');
      await waitFor(async () => !(await suiteContainers(daemon.docker, tag)).some((c) => c.Id === edited.Id), 'the edited container to be replaced', 30_000, 100);
      now = await suiteContainers(daemon.docker, tag);
      expect(now).toHaveLength(2);
      for (const c of now) expect((await daemon.docker.getContainer(c.Id).inspect()).HostConfig.Memory).toBe(0);
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "heal" }) { userErrors { message } } }`).catch(() => undefined);
      await waitFor(async () => (await suiteContainers(daemon.docker, tag)).length === 0, 'the containers to be removed', 30_000, 200);
    }
  });
});
