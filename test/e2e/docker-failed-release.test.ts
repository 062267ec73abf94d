// A release whose container exits at start, end to end through a real server: it fails with the
// container's own log line, is rolled back to the release that ran before, and the old replicas
// serve throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { answer, events, instanceOf, release, singleChannelConfig, suiteContainers, suiteTag, sweepSuite, waitStatus } from '../helpers/docker-e2e.js';
import { dockerForTests, type Dockerd } from '../helpers/dockerd.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Two attempts, so the retry of a start that cannot succeed is seen once before the engine gives up.
const FAST = { steadyIntervalMs: 300, gatePollMs: 100, maxAttempts: 2 };

let daemon: Dockerd;
const tags: string[] = [];
beforeAll(async () => {
  daemon = await dockerForTests();
});
afterAll(async () => {
  for (const tag of tags) await sweepSuite(daemon.docker, tag);
});

describe.each(DATABASES)('docker runtime: a release that cannot start (%s)', (database) => {
  it('fails with the container\'s log line, rolls back to v1, and v1 kept serving', { timeout: 120_000 }, async () => {
    const tag = suiteTag('failed-release');
    tags.push(tag);
    const port = await freePortRange(3);
    await using server = await startTestServer({ database, engine: FAST });
    try {
      expect((await server.data(APPLY_CONFIG, { documents: singleChannelConfig({ endpoint: daemon.endpoint, tag, app: 'broken', port }) })).applyConfig.userErrors).toEqual([]);
      await release(server, 'broken', { version: 'v1' });
      await waitStatus(server, 'broken', 'staging', 'CONVERGED', 'v1');
      const v1 = (await suiteContainers(daemon.docker, tag)).map((c) => c.Id).sort();

      let polling = true;
      let gaps = 0;
      const poller = (async () => {
        while (polling) {
          if ((await Promise.all([port, port + 1, port + 2].map(answer))).every((a) => a === undefined)) gaps++;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      let back: any;
      try {
        await release(server, 'broken', { version: 'v2', mode: 'broken' });
        back = await waitStatus(server, 'broken', 'staging', 'ROLLED_BACK', 'v1');
      } finally {
        polling = false;
        await poller;
      }
      expect(gaps).toBe(0);
      expect(back.reasons[0].code).toBe('RELEASE_MARKED_BAD');
      expect(back.reasons[0].message).toMatch(/^v2 failed here \(.*exited with code 3; last log lines: web: starting \| boom: no config at \/etc\/web\.conf.*\), was rolled back to v1 and marked bad; a new release clears the way$/);
      const history = await events(server, 'broken');
      expect(history.map((e) => e.type)).toEqual(expect.arrayContaining(['RELEASE_FAILED', 'ROLLBACK_STARTED', 'INSTANCE_ROLLED_BACK']));

      // The v1 replicas are the very same containers, and v2's failed one is gone.
      await waitFor(async () => (await suiteContainers(daemon.docker, tag)).length === 2, 'the failed v2 container to be removed', 30_000, 100);
      expect((await suiteContainers(daemon.docker, tag)).map((c) => c.Id).sort()).toEqual(v1);
      const now = await instanceOf(server, 'broken', 'staging');
      expect(now.observed.objects[0]).toMatchObject({ status: 'SUCCEEDED', versions: [{ replicas: 2, availableReplicas: 2, active: true, drifted: false }] });
      expect(await answer(port)).toBe('hello from v1 in staging');
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "broken" }) { userErrors { message } } }`).catch(() => undefined);
      await waitFor(async () => (await suiteContainers(daemon.docker, tag)).length === 0, 'the containers to be removed', 30_000, 200);
    }
  });
});
