import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { answer, apply, approve, convergedOn, events, latestRelease, release, removeShop, shopConfig, tokenFor, until } from './shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150 };
const TWO_APPROVERS = ['manualApproval: { minApprovers: 2 }'];

describe.each(DATABASES)('delivery safety: config changes (%s)', (database) => {
  it('a config change skips every gate: no more — it is a release that waits for production approval, in order', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    const [alice, bob] = [await tokenFor(server, 'alice'), await tokenFor(server, 'bob')];
    try {
      await apply(server, shopConfig({ ports, productionGates: TWO_APPROVERS }));
      const v1 = await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));
      expect(await approve(server, v1, 'production', alice)).toEqual([]);
      expect(await approve(server, v1, 'production', bob)).toEqual([]);
      await until(server, 'production', 'converged on v1', convergedOn('v1'));

      // Change the service's env: a new release of web, trigger CONFIG, on top of v1.
      await apply(server, shopConfig({ ports, productionGates: TWO_APPROVERS, env: { GREETING: 'hi' } }));
      const config = await latestRelease(server);
      expect(config).toMatchObject({ label: 'v1 · config 2', trigger: 'CONFIG', configGeneration: 2, createdBy: 'token:admin' });
      expect(config.changeSummary).toEqual(['spec.env.GREETING: added (hi) (every channel)']);

      // Staging takes it (no gates there); production waits for two approvals of *this* release.
      await until(server, 'staging', 'converged on the config release', convergedOn('v1 · config 2'));
      expect(await answer(ports.staging)).toBe('hello from v1 in staging (hi)');
      const waiting = await until(server, 'production', 'waiting for approval', (v) => v.status === 'WAITING' && v.reasons[0]?.code === 'AWAITING_APPROVAL');
      expect(waiting.reasons[0]!.message).toBe('awaiting approval: 0 of 2 approvers');
      expect(waiting.desiredRelease!.label).toBe('v1 · config 2');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await answer(ports.production)).toBe('hello from v1 in production');

      expect(await approve(server, config.id, 'production', alice)).toEqual([]);
      expect(await approve(server, config.id, 'production', bob)).toEqual([]);
      await until(server, 'production', 'converged on the config release', convergedOn('v1 · config 2'));
      expect(await answer(ports.production)).toBe('hello from v1 in production (hi)');

      // Ordering held: production started the config release only after staging converged on it.
      const story = (await events(server)).map((e) => `${e.type}: ${e.message}`);
      const at = (re: RegExp) => story.findIndex((m) => re.test(m));
      expect(at(/ROLLOUT_STARTED: starting v1 · config 2 in production/)).toBeGreaterThan(at(/INSTANCE_CONVERGED: v1 · config 2 converged in staging/));
      expect(at(/RELEASE_CREATED: config change released as v1 · config 2 of web: spec.env.GREETING: added \(hi\)/)).toBeGreaterThanOrEqual(0);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('approvals are not bound to what was approved: no more — an approval counts only for the release it names', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    const [alice, bob] = [await tokenFor(server, 'alice'), await tokenFor(server, 'bob')];
    try {
      await apply(server, shopConfig({ ports, productionGates: TWO_APPROVERS }));
      const v1 = await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));
      await approve(server, v1, 'production', alice);
      await approve(server, v1, 'production', bob);
      await until(server, 'production', 'converged on v1', convergedOn('v1'));

      // Production is paused; v2 reaches staging and is approved for production meanwhile.
      await server.data(`mutation { pauseConvergence(input: { application: "shop", channel: "production" }) { userErrors { message } } }`);
      const v2 = await release(server, { version: 'v2' });
      await until(server, 'staging', 'converged on v2', convergedOn('v2'));
      expect(await approve(server, v2, 'production', alice)).toEqual([]);
      expect(await approve(server, v2, 'production', bob)).toEqual([]);

      // Then the config changes: what production would run is no longer what was approved.
      await apply(server, shopConfig({ ports, productionGates: TWO_APPROVERS, env: { GREETING: 'hi' } }));
      const changed = await latestRelease(server);
      expect(changed.label).toBe('v2 · config 2');
      const plan = await server.data(`query($id: ID!) { node(id: $id) { ... on Release { plan(channel: "production") { running { label } changes { path summary } } } } }`, { id: changed.id });
      expect(plan.node.plan.running.label).toBe('v1');
      expect(plan.node.plan.changes.map((c: any) => c.summary)).toEqual(['params.version: v1 → v2', 'spec.env.GREETING: added (hi)', 'spec.env.VERSION: v1 → v2']);

      await server.data(`mutation { resumeConvergence(input: { application: "shop", channel: "production" }) { userErrors { message } } }`);
      const waiting = await until(server, 'production', 'waiting for approval of the new release', (v) => v.status === 'WAITING' && v.reasons[0]?.code === 'AWAITING_APPROVAL');
      expect(waiting.desiredRelease!.label).toBe('v2 · config 2');
      expect(waiting.reasons[0]!.message).toBe('awaiting approval: 0 of 2 approvers');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await answer(ports.production)).toBe('hello from v1 in production');
      // The old approval still says what it approved: v2, not the new spec.
      const old = await server.data(`query($id: ID!) { node(id: $id) { ... on Release { label approvals(channel: "production") { actor decision } } } }`, { id: v2 });
      expect(old.node.approvals.map((a: any) => a.actor).sort()).toEqual(['token:alice', 'token:bob']);

      await approve(server, changed.id, 'production', alice);
      await approve(server, changed.id, 'production', bob);
      await until(server, 'production', 'converged on the approved release', convergedOn('v2 · config 2'));
      expect(await answer(ports.production)).toBe('hello from v2 in production (hi)');
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('a config change that does not touch a channel converges there at once, without a redeploy', { timeout: 90_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, productionGates: ['manualApproval: { minApprovers: 1 }'] }));
      const v1 = await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));
      await approve(server, v1, 'production');
      await until(server, 'production', 'converged on v1', convergedOn('v1'));
      const pid = await pidOf(server, 'staging');

      // Only production changes (a perChannel env): staging runs exactly what it ran.
      const config = shopConfig({ ports, productionGates: ['manualApproval: { minApprovers: 1 }'] }) + 'perChannel:\n  production: { env: { GREETING: "hi" } }\n';
      await apply(server, config);
      await until(server, 'staging', 'on the config release at once', convergedOn('v1 · config 2'));
      expect(await pidOf(server, 'staging')).toBe(pid);
      const story = (await events(server)).map((e) => e.message);
      expect(story).toContain('v1 · config 2 converged in staging at once: it changes nothing here (runs what v1 ran)');
      expect((await latestRelease(server)).changeSummary).toEqual(['env.GREETING: added (hi) (production)']);
      // Production still needs its approval for the change it does get.
      await until(server, 'production', 'waiting for approval', (v) => v.reasons[0]?.code === 'AWAITING_APPROVAL');
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});

/** The pid of the channel's one replica, from the process runtime's own records. */
async function pidOf(server: { dataDir: string }, channel: string): Promise<number> {
  const dir = path.join(server.dataDir, 'run', 'shop', channel, 'web');
  const record = readdirSync(dir).find((f) => f.startsWith('replica-') && f.endsWith('.json'))!;
  return JSON.parse(readFileSync(path.join(dir, record), 'utf8')).pid;
}
