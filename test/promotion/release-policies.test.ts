import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { apply, convergedOn, events, release, removeShop, shopConfig, until, view } from '../safety/shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150 };
const VERSIONS = ['v1', 'v2', 'v3', 'v4', 'v5'];

/**
 * The starvation scenario: production soaks every release for 3 s behind staging, and releases
 * arrive faster than that (one a second). Returns what production converged on while the stream ran.
 */
async function stream(server: TestServer): Promise<string[]> {
  const seen: string[] = [];
  for (const version of VERSIONS) {
    await release(server, { version });
    const end = Date.now() + 1_000;
    while (Date.now() < end) {
      const p = await view(server, 'production');
      if (p.convergedRelease && !seen.includes(p.convergedRelease.label)) seen.push(p.convergedRelease.label);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return seen;
}

async function convergedStory(server: TestServer, channel: string): Promise<string[]> {
  return (await events(server)).filter((e) => e.type === 'INSTANCE_CONVERGED' && e.message.includes(` in ${channel}`)).map((e) => e.message.split(' ')[0]!);
}

describe.each(DATABASES)('promotion control: how releases queue (%s)', (database) => {
  it('latest with soak protection (the default): a steady stream cannot starve production; what it skips is recorded as superseded', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, productionGates: ['soak: { duration: 3s }'] }));
      const during = await stream(server);
      expect(during).toContain('v1');
      await until(server, 'production', 'converged on v5', convergedOn('v5'), 60_000);
      const story = await events(server);
      expect(story.some((e) => e.type === 'INSTANCE_STATUS_CHANGED' && /waits: production is still to take v1 from here/.test(e.message))).toBe(true);
      const superseded = story.filter((e) => e.type === 'RELEASE_SUPERSEDED' && e.message.includes('in production')).map((e) => e.message);
      const reached = await convergedStory(server, 'production');
      // Every release either reached production or is recorded as superseded there; none vanished.
      for (const v of VERSIONS) expect(reached.includes(v) || superseded.some((m) => m.includes(`superseded ${v} in production`)), `${v}: ${JSON.stringify({ reached, superseded })}`).toBe(true);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('latest without soak protection: production starves while releases keep coming (as documented), and converges once they stop', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, productionGates: ['soak: { duration: 3s, protect: false }'] }));
      expect(await stream(server)).toEqual([]);
      await until(server, 'production', 'converged on v5 after the stream', convergedOn('v5'), 60_000);
      expect(await convergedStory(server, 'production')).toEqual(['v5']);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('queue: every release goes through production in order, none skipped', { timeout: 150_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      const config = shopConfig({ ports, productionGates: ['soak: { duration: 2s }'] })
        .replace('    constants: { port: ' + ports.staging + ' }\n', `    constants: { port: ${ports.staging} }\n    releasePolicy: queue\n`)
        .replace('    constants: { port: ' + ports.production + ' }\n', `    constants: { port: ${ports.production} }\n    releasePolicy: queue\n`);
      await apply(server, config);
      await stream(server);
      await until(server, 'production', 'converged on v5', convergedOn('v5'), 90_000);
      expect(await convergedStory(server, 'production')).toEqual(VERSIONS);
      expect(await convergedStory(server, 'staging')).toEqual(VERSIONS);
      expect((await events(server)).filter((e) => e.type === 'RELEASE_SUPERSEDED')).toEqual([]);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});
