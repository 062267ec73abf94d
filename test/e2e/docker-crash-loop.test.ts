// A crash-looping release on the docker runtime, end to end through a real server: its containers
// come up healthy, then die every two seconds and Docker restarts them (restart: always), so
// the observed `restarts` (Docker's RestartCount) climbs. The engine's crash-loop detection must
// fail the release with CRASH_LOOP, roll it back to v1 and mark it bad.
//
// Depends on the engine's crash-loop detection (DESIGN.md "Converged means stable"), built in
// parallel: until that is merged this suite fails by timing out on the CRASH_LOOP reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { instanceOf, release, singleChannelConfig, suiteContainers, suiteTag, sweepSuite, waitStatus } from '../helpers/docker-e2e.js';
import { dockerForTests, type Dockerd } from '../helpers/dockerd.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
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

describe.each(DATABASES)('docker runtime: a crash-looping release (%s)', (database) => {
  it('climbing RestartCount makes the release CRASH_LOOP; it is rolled back to v1 and marked bad', { timeout: 180_000 }, async () => {
    const tag = suiteTag('crash-loop');
    tags.push(tag);
    const port = await freePortRange(3);
    await using server = await startTestServer({ database, engine: FAST });
    try {
      const config = singleChannelConfig({ endpoint: daemon.endpoint, tag, app: 'looping', port, spec: '  restart: always\n' });
      expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
      await release(server, 'looping', { version: 'v1' });
      await waitStatus(server, 'looping', 'staging', 'CONVERGED', 'v1');

      await release(server, 'looping', { version: 'v2', mode: 'crashloop' });
      // The plugin reports Docker's RestartCount: it climbs while the release rolls out.
      await waitFor(async () => {
        const i = await instanceOf(server, 'looping', 'staging');
        return (i.observed?.objects?.[0]?.versions ?? []).some((v: any) => v.restarts >= 2);
      }, 'restarts to climb in the observed state', 60_000, 200);

      // CRASH_LOOP may show only briefly on the instance (it rolls back at once): the status
      // events keep every reason code the instance carried.
      const looped = await waitFor(async () => {
        const data = await server.data(`{ events(application: "looping", first: 500) { nodes { type message data } } }`);
        return data.events.nodes.find((e: any) => e.type === 'INSTANCE_STATUS_CHANGED' && (e.data?.reasons ?? []).includes('CRASH_LOOP'));
      }, 'a status with the CRASH_LOOP reason', 60_000, 200).catch(async (err) => {
        throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await instanceOf(server, 'looping', 'staging'))}`);
      });
      expect(looped.message).toMatch(/crash|restart/i);

      const back = await waitStatus(server, 'looping', 'staging', 'ROLLED_BACK', 'v1', 60_000);
      expect(back.reasons[0].code).toBe('RELEASE_MARKED_BAD');
      // v1 runs again, on containers without restarts.
      await waitFor(async () => {
        const containers = await suiteContainers(daemon.docker, tag);
        return containers.length === 2 && containers.every((c) => c.State === 'running' && c.Image.length > 0);
      }, 'v1 to run alone again', 30_000, 200);
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "looping" }) { userErrors { message } } }`).catch(() => undefined);
      await waitFor(async () => (await suiteContainers(daemon.docker, tag)).length === 0, 'the containers to be removed', 30_000, 200);
    }
  });
});
