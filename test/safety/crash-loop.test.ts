import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { answer, apply, approve, convergedOn, events, release, removeShop, shopConfig, until } from './shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150 };

describe.each(DATABASES)('delivery safety: crash loops (%s)', (database) => {
  it('a crash-looping release counts as converged and is promoted: no more — it is CRASH_LOOP, rolled back, marked bad, never promoted', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, stabilizationWindow: '4s' }));
      await release(server, { version: 'v1' });
      await until(server, 'production', 'converged on v1', convergedOn('v1'), 60_000);

      // v2 starts healthy, then exits 1.5 s later, every time it is restarted.
      await release(server, { version: 'v2', crash: '1500' });
      const stabilizing = await until(server, 'staging', 'stabilizing v2', (v) => v.reasons[0]?.code === 'STABILIZING');
      expect(stabilizing.status).toBe('CONVERGING');
      expect(stabilizing.reasons[0]!.message).toMatch(/^v2 is up; it must stay healthy for 4s before it counts as converged \(\d(\.\d)?s left\)$/);
      const back = await until(server, 'staging', 'rolled back to v1', (v) => v.status === 'ROLLED_BACK' && v.convergedRelease?.label === 'v1', 60_000);
      expect(back.reasons[0]!.code).toBe('RELEASE_MARKED_BAD');
      expect(back.reasons[0]!.message).toMatch(/^v2 failed here \(v2 keeps crashing in staging: 3 restarts within 5m; last: .*simulated crash.*\), was rolled back to v1 and marked bad/);
      expect(await answer(ports.staging)).toBe('hello from v1 in staging');

      // Production never took v2, and says why.
      const production = await until(server, 'production', 'refusing v2', (v) => v.reasons[0]?.code === 'RELEASE_MARKED_BAD');
      expect(production.convergedRelease!.label).toBe('v1');
      expect(production.reasons[0]!.message).toBe('v2 was marked bad in staging; it will not be promoted to production');
      const story = await events(server);
      expect(story.filter((e) => e.type === 'CRASH_LOOP_DETECTED').map((e) => e.message)).toEqual([expect.stringMatching(/^v2 keeps crashing in staging: 3 restarts within 5m/)]);
      expect(story.some((e) => /v2 converged in staging/.test(e.message))).toBe(false);
      expect(story.some((e) => e.type === 'ROLLOUT_STARTED' && /v2 in production/.test(e.message))).toBe(false);
      expect(await answer(ports.production)).toBe('hello from v1 in production');
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('a crash loop long after a release converged shows as CRASH_LOOP and holds promotion of it downstream', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    const crashFile = path.join(process.env.TMPDIR ?? '/tmp', `driftless-crash-${process.pid}-${Math.random().toString(36).slice(2)}`);
    // A crash loop counts within 6 s; after that a rollout is "long ago".
    await using server = await startTestServer({ database, engine: { ...FAST, crashLoopWindowMs: 6_000 } });
    // Only staging's processes look at the crash file.
    const config = shopConfig({ ports, productionGates: ['manualApproval: { minApprovers: 1 }'], stabilizationWindow: '1s' }) + `perChannel:\n  staging: { env: { CRASH_FILE: ${JSON.stringify(crashFile)} } }\n`;
    try {
      await apply(server, config);
      const v1 = await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));
      await approve(server, v1, 'production');
      await until(server, 'production', 'converged on v1', convergedOn('v1'));
      const v2 = await release(server, { version: 'v2' });
      await until(server, 'staging', 'converged on v2', convergedOn('v2'));
      await new Promise((r) => setTimeout(r, 6_500));

      writeFileSync(crashFile, 'crash');
      const looping = await until(server, 'staging', 'crash-looping', (v) => v.status === 'DEGRADED' && v.reasons[0]?.code === 'CRASH_LOOP', 60_000);
      expect(looping.convergedRelease!.label).toBe('v2');
      expect(looping.reasons[0]!.message).toMatch(/^v2 keeps crashing in staging: \d+ restarts within 6s; last: .*lost its database connection/);

      // Production may not take v2 from a crash-looping staging, even approved.
      expect(await approve(server, v2, 'production')).toEqual([]);
      const held = await until(server, 'production', 'held by the unhealthy upstream', (v) => v.reasons[0]?.code === 'UPSTREAM_UNHEALTHY');
      expect(held.reasons[0]!.message).toMatch(/^waiting for staging to be healthy on v2 again \(v2 keeps crashing in staging/);
      expect(await answer(ports.production)).toBe('hello from v1 in production');

      rmSync(crashFile, { force: true });
      await until(server, 'staging', 'stable again', convergedOn('v2'), 60_000);
      await until(server, 'production', 'converged on v2', convergedOn('v2'), 60_000);
      const story = (await events(server)).map((e) => `${e.type}: ${e.message}`);
      expect(story.filter((m) => m.startsWith('HEALTH_RECOVERED'))).toEqual(['HEALTH_RECOVERED: v2 stopped crashing in staging']);
    } finally {
      rmSync(crashFile, { force: true });
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});
