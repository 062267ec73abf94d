// examples/compose-shop end to end: a real server on port 0, the docker runtime plugin, the run's
// real Docker Engine. The compose file's `web` service goes to staging (two replicas) and to
// production, where the container `docker compose up` started is adopted instead of duplicated;
// v1 → v2 rolls start-first with a replica answering at every poll; deleting the application
// removes every container, the adopted one too.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { composeUp } from '../helpers/docker-compose-up.js';
import { answer, instanceOf, release, suiteContainers, suiteTag, sweepSuite, SUITE_LABEL, waitStatus } from '../helpers/docker-e2e.js';
import { WEB_IMAGE } from '../helpers/docker-images.js';
import { dockerForTests, type Dockerd } from '../helpers/dockerd.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const EXAMPLE = readFileSync(new URL('../../examples/compose-shop/driftless.yaml', import.meta.url), 'utf8');
const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

let daemon: Dockerd;
const tags: string[] = [];
beforeAll(async () => {
  daemon = await dockerForTests();
});
afterAll(async () => {
  for (const tag of tags) await sweepSuite(daemon.docker, tag);
});

/** The example as written, pointed at this run's Engine, ports and test images. */
function exampleConfig(tag: string, staging: number, production: number): string {
  const replaced = EXAMPLE.replace('endpoint: unix:///var/run/docker.sock', `endpoint: ${daemon.endpoint}`)
    .replace('  network: host\n', `  network: host\n  labels: { ${SUITE_LABEL}: ${tag} }\n`)
    .replace('WEB_IMAGE: shop/web', 'WEB_IMAGE: driftless-test/web')
    .replace('constants: { port: 8300 }', `constants: { port: ${staging} }`)
    .replace('constants: { port: 8400 }', `constants: { port: ${production} }`);
  for (const must of [daemon.endpoint, tag, 'driftless-test/web', `port: ${staging}`, `port: ${production}`]) expect(replaced).toContain(must);
  return replaced;
}

describe.each(DATABASES)('examples/compose-shop on a real Docker Engine (%s)', (database) => {
  it('adopts production\'s compose container, rolls v1 → v2 start-first with a replica always answering, and delete removes every container', { timeout: 180_000 }, async () => {
    const tag = suiteTag('compose-shop');
    tags.push(tag);
    const staging = await freePortRange(3);
    const production = await freePortRange(2);
    // What `docker compose up -d` of examples/compose-shop/docker-compose.yml started in production.
    const compose = await composeUp(daemon.docker, {
      project: 'shop',
      service: 'web',
      number: production,
      image: WEB_IMAGE.v1,
      env: { GREETING: 'hello', VERSION: 'v1', PORT: String(production) },
      labels: { [SUITE_LABEL]: tag },
      healthcheck: { Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:${PORT}/healthz'], Interval: 1e9, Timeout: 1e9, Retries: 3 },
    });
    await waitFor(async () => (await answer(production)) === 'hello from v1 in compose', 'the compose container to serve');

    await using server = await startTestServer({ database, engine: FAST });
    try {
      const applied = await server.data(APPLY_CONFIG, { documents: exampleConfig(tag, staging, production) });
      expect(applied.applyConfig.userErrors).toEqual([]);

      await release(server, 'shop', { version: 'v1' });
      await waitStatus(server, 'shop', 'staging', 'CONVERGED', 'v1');
      expect(await answer(staging)).toBe('hello from v1 in compose');
      expect(await answer(staging + 1)).toBe('hello from v1 in compose');
      const prod = await waitStatus(server, 'shop', 'production', 'CONVERGED', 'v1');
      expect(prod.observed.objects[0].versions).toEqual([{ version: expect.any(String), replicas: 1, availableReplicas: 1, active: true, drifted: false, restarts: 0 }]);
      // No duplicate: production runs exactly the container compose started, renamed as taken over.
      const production1 = (await suiteContainers(daemon.docker, tag)).filter((c) => c.Labels['io.driftless.channel'] === 'production' || c.Id === compose.Id);
      expect(production1.map((c) => c.Id)).toEqual([compose.Id]);
      expect(production1[0]!.Names[0]).toMatch(/^\/shop-production-web-adopted-[0-9a-f]{10}-[0-9a-f]{4}$/);
      expect(await answer(production)).toBe('hello from v1 in compose');

      // v2, start-first in staging: poll every port of its slots throughout; one must always answer.
      let polling = true;
      let polls = 0;
      const gaps: number[] = [];
      const seen = new Set<string>();
      const poller = (async () => {
        while (polling) {
          const answers = (await Promise.all([staging, staging + 1, staging + 2].map(answer))).filter((a): a is string => a !== undefined);
          polls++;
          if (answers.length === 0) gaps.push(Date.now());
          answers.forEach((a) => seen.add(a));
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      try {
        await release(server, 'shop', { version: 'v2' });
        await waitStatus(server, 'shop', 'staging', 'CONVERGED', 'v2');
      } finally {
        polling = false;
        await poller;
      }
      expect(gaps).toEqual([]);
      expect(polls).toBeGreaterThan(20);
      expect([...seen].sort()).toEqual(['hello from v1 in compose', 'hello from v2 in compose']);

      // Production's first rollout of a new image replaces the adopted container.
      await waitStatus(server, 'shop', 'production', 'CONVERGED', 'v2');
      const after = await suiteContainers(daemon.docker, tag);
      expect(after.map((c) => c.Id)).not.toContain(compose.Id);
      expect(after.filter((c) => c.Labels['io.driftless.channel'] === 'production')).toHaveLength(1);
      expect(after.filter((c) => c.Labels['io.driftless.channel'] === 'staging')).toHaveLength(2);
      expect(await Promise.all([production, production + 1].map(answer))).toContain('hello from v2 in compose');
      const stagingNow = await instanceOf(server, 'shop', 'staging');
      expect(stagingNow.observed.objects[0].message).toBe(`2 of 2 replicas of ${stagingNow.observed.objects[0].versions[0].version} available`);
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`).catch(() => undefined);
      // Delete is durable intent: every container of the application goes, whatever ran before.
      await waitFor(async () => (await suiteContainers(daemon.docker, tag)).length === 0, 'every container of the application to be removed', 30_000, 200).catch(async (err) => {
        throw new Error(`${(err as Error).message}: left ${(await suiteContainers(daemon.docker, tag)).map((c) => c.Names[0]).join(', ')}`);
      });
    }
  });
});
