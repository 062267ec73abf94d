import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { applyAndRelease, fakeConfig, instanceIds, release, rowId, waitForChannel, waitForReason } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { startAlertmanager } from '../gates/alertmanager-daemon.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100 };
const future = () => new Date(Date.now() + 60 * 60_000);
const past = () => new Date(Date.now() - 1000);

afterEach(async () => {
  await control.reset();
});

async function firstApplyAt(instanceId: string, version?: string): Promise<number> {
  const call = await waitFor(async () => control.applyCalls().find((c) => c.instanceId === instanceId && (!version || c.version === version)), `an apply of ${instanceId}`);
  return call.at;
}

/** An HTTP endpoint whose answer the test flips. */
async function checkEndpoint(): Promise<{ url: string; status: { code: number }; close(): Promise<void> }> {
  const status = { code: 200 };
  const server = http.createServer((_req, res) => res.writeHead(status.code).end(String(status.code)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`, status, close: () => new Promise((r) => server.close(() => r())) };
}

describe.each(DATABASES)('gates on the fake runtime (%s)', (database) => {
  it('soak: production starts only after staging has run the release for the soak duration', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig({ productionGates: '      - soak: { duration: 1s }' }), 'v1');
    const staging = await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    const soaking = await waitForReason(server, 'production', 'WAITING', 'SOAKING');
    expect(soaking.reasons[0]!.message).toMatch(/soak/);
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    const ids = await instanceIds(server);
    expect(await firstApplyAt(ids.production!)).toBeGreaterThanOrEqual(Date.parse(staging.convergedAt!) + 1000);
  });

  it('allowedTimes: outside the window production waits and says when it opens (injectable clock)', async () => {
    let now = Date.parse('2026-11-28T12:00:00Z'); // a Saturday
    const clock = () => now + (Date.now() - started);
    const started = Date.now();
    await using server = await startTestServer({ database, engine: FAST, now: clock });
    await applyAndRelease(server, fakeConfig({ productionGates: '      - allowedTimes: { days: mon-fri, hours: "9-17", timezone: UTC }' }), 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    const waiting = await waitForReason(server, 'production', 'WAITING', 'OUTSIDE_ALLOWED_TIMES');
    expect(waiting.reasons[0]!.message).toMatch(/Mon 2026-11-30 09:00/);
    now = Date.parse('2026-11-30T09:30:00Z');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
  });

  it('alerts: a firing alert holds production back; a new one during the rollout fails it and rolls back', async () => {
    await using am = await startAlertmanager();
    await using server = await startTestServer({ database, engine: { ...FAST, maxAttempts: 50, applyTimeoutMs: 300 } });
    const gate = `      - alerts: { alertmanager: "${am.url}", matchers: { severity: critical } }`;
    await am.postAlert({ alertname: 'CheckoutDown', severity: 'critical' }, future());
    await applyAndRelease(server, fakeConfig({ productionGates: gate }), 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    const held = await waitFor(async () => {
      const view = await waitForChannel(server, 'production', 'WAITING');
      return view.reasons.some((r) => r.code === 'ALERTS_FIRING') ? view : undefined;
    }, 'production held back by the alert');
    expect(held.reasons.find((r) => r.code === 'ALERTS_FIRING')!.message).toMatch(/CheckoutDown/);
    await am.postAlert({ alertname: 'CheckoutDown', severity: 'critical' }, past());
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    // v2's apply in production hangs (timeouts, retries): the rollout is under way when the alert fires.
    const v2 = await release(server, 'v2');
    await control.hang({ channel: 'production', version: rowId(v2) }, 'apply');
    const ids = await instanceIds(server);
    await firstApplyAt(ids.production!, rowId(v2));
    await am.postAlert({ alertname: 'HighErrorRate', severity: 'critical' }, future());
    const rolledBack = await waitForChannel(server, 'production', 'ROLLED_BACK', 'v1');
    expect(rolledBack.reasons[0]!.message).toMatch(/v2 failed here .*HighErrorRate/);
  });

  it('httpCheck: production waits for staging post-deploy verification; a check failing after deploy rolls back', async () => {
    const endpoint = await checkEndpoint();
    try {
      await using server = await startTestServer({ database, engine: FAST });
      // A window long enough that the check below fails inside it even on a loaded machine.
      const gate = `      - httpCheck: { url: "${endpoint.url}", expectStatus: 200, duration: 3s, intervalSeconds: 1 }`;
      await applyAndRelease(server, fakeConfig({ stagingGates: gate }), 'v1');
      const staging = await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
      await waitForChannel(server, 'production', 'CONVERGED', 'v1');
      const ids = await instanceIds(server);
      expect(await firstApplyAt(ids.production!)).toBeGreaterThanOrEqual(Date.parse(staging.convergedAt!) + 3000);

      const v2 = await release(server, 'v2');
      await firstApplyAt(ids.staging!, rowId(v2));
      await waitFor(async () => (await waitForChannel(server, 'staging', 'CONVERGED', 'v2')) && true, 'staging on v2');
      endpoint.status.code = 503;
      const rolledBack = await waitForChannel(server, 'staging', 'ROLLED_BACK', 'v1');
      expect(rolledBack.reasons[0]!.message).toMatch(/v2 failed here .*503/);
      expect(control.applyCalls().some((c) => c.instanceId === ids.production && c.version === rowId(v2))).toBe(false);
    } finally {
      await endpoint.close();
    }
  });
});
