import { describe, expect, it } from 'vitest';
import { startAlertmanager } from '../gates/alertmanager-daemon.js';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { answer, apply, approve, checkEndpoint, convergedOn, events, release, removeShop, shopConfig, until } from './shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150, healthPollMs: 300 };

describe.each(DATABASES)('delivery safety: health after verification (%s)', (database) => {
  it('health stops being watched after verification: no more — a failing check shows, holds promotion and new rollouts, until it passes', { timeout: 150_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    const endpoint = await checkEndpoint();
    const setHealth = (state: 'ok' | 'fail') => endpoint.fail(state === 'fail');
    await using server = await startTestServer({ database, engine: FAST });
    const check = `httpCheck: { url: "${endpoint.url}", expectStatus: 200, duration: 1s, intervalSeconds: 1 }`;
    const config = shopConfig({ ports, stagingGates: [check], productionGates: ['manualApproval: { minApprovers: 1 }'] });
    try {
      await apply(server, config);
      const v1 = await release(server, { version: 'v1' });
      await until(server, 'staging', 'verified on v1', (v) => convergedOn('v1')(v) && v.reasons.length === 0);
      await approve(server, v1, 'production');
      await until(server, 'production', 'converged on v1', convergedOn('v1'));
      const v2 = await release(server, { version: 'v2' });
      await until(server, 'staging', 'verified on v2', (v) => convergedOn('v2')(v) && v.reasons.length === 0);
      await until(server, 'production', 'waiting for approval of v2', (v) => v.reasons[0]?.code === 'AWAITING_APPROVAL');

      // Long after verification, the check starts failing: it shows, and production may not take v2.
      setHealth('fail');
      const degraded = await until(server, 'staging', 'degraded', (v) => v.status === 'DEGRADED');
      expect(degraded.reasons[0]!.code).toBe('CHECK_FAILING');
      expect(degraded.reasons[0]!.message).toBe(`check failing: GET ${endpoint.url} returned 503, want 200 (since ${new Date(degraded.reasons[0]!.since).toISOString().slice(11, 16)} UTC)`);
      expect(degraded.convergedRelease!.label).toBe('v2');
      expect(await approve(server, v2, 'production')).toEqual([]);
      const held = await until(server, 'production', 'held by staging', (v) => v.reasons[0]?.code === 'UPSTREAM_UNHEALTHY');
      expect(held.reasons[0]!.message).toMatch(/^waiting for staging to be healthy on v2 again \(check failing: GET .* returned 503, want 200, since \d\d:\d\d UTC\)$/);

      // Passing again: production takes v2.
      setHealth('ok');
      await until(server, 'staging', 'healthy again', convergedOn('v2'));
      await until(server, 'production', 'converged on v2', convergedOn('v2'));

      // Failing again: a new release waits in staging itself until the check passes.
      setHealth('fail');
      await until(server, 'staging', 'degraded again', (v) => v.status === 'DEGRADED');
      await release(server, { version: 'v3' });
      const holding = await until(server, 'staging', 'holding v3', (v) => v.reasons[0]?.code === 'HEALTH_HOLD');
      expect(holding.status).toBe('DEGRADED');
      expect(holding.reasons[0]!.message).toMatch(/^v3 waits: staging is unhealthy on v2 \(check failing: GET .* returned 503, want 200\)$/);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await answer(ports.staging)).toBe('hello from v2 in staging');
      setHealth('ok');
      await until(server, 'staging', 'converged on v3', convergedOn('v3'));

      const story = (await events(server)).map((e) => `${e.type}: ${e.message}`);
      expect(story.filter((m) => m.startsWith('HEALTH_DEGRADED'))).toHaveLength(2);
      expect(story.filter((m) => m.startsWith('HEALTH_RECOVERED'))).toEqual(['HEALTH_RECOVERED: v2 in staging is healthy again', 'HEALTH_RECOVERED: v2 in staging is healthy again']);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
      await endpoint.close();
    }
  });

  it('a firing alert after verification shows on the instance as ALERTS_FIRING and clears when it resolves', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using am = await startAlertmanager();
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, stagingGates: [`alerts: { alertmanager: "${am.url}", matchers: { service: web } }`] }));
      await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));
      await am.postAlert({ alertname: 'HighLatency', service: 'web' }, new Date(Date.now() + 60_000));
      const degraded = await until(server, 'staging', 'degraded by the alert', (v) => v.status === 'DEGRADED');
      expect(degraded.reasons[0]!.code).toBe('ALERTS_FIRING');
      expect(degraded.reasons[0]!.message).toMatch(/^1 alert firing matching service=web: HighLatency \(since \d\d:\d\d UTC\)$/);
      await am.postAlert({ alertname: 'HighLatency', service: 'web' }, new Date(Date.now() - 1_000));
      await until(server, 'staging', 'converged again', convergedOn('v1'));
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});
