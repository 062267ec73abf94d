/**
 * HealthMonitor against a real Alertmanager daemon. Without the binary this suite FAILS (never
 * skips) and says to run .ci/install-alertmanager.sh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthMonitor, evaluateGates, gateKey, type CompiledGate } from '../../server/engine/gates/index.js';
import { findAlertmanager, freePort, startAlertmanager, type AlertmanagerDaemon } from './alertmanager-daemon.js';
import { input, waitFor } from './fixtures.js';

let am: AlertmanagerDaemon;
let monitor: HealthMonitor;

const future = () => new Date(Date.now() + 60 * 60_000);
const past = () => new Date(Date.now() - 1000);

describe('HealthMonitor: alerts against a real Alertmanager', () => {
  beforeAll(async () => {
    am = await startAlertmanager();
    monitor = new HealthMonitor({ pollIntervalMs: 100 });
  });

  afterAll(async () => {
    await monitor?.stop();
    await am?.[Symbol.asyncDispose]();
  });

  it('flips to firing when a matching alert fires and clears when it resolves', async () => {
    const gate: CompiledGate = { type: 'alerts', alertmanager: am.url, matchers: { severity: 'critical' } };
    const key = gateKey(gate);
    let changes = 0;
    const off = monitor.onChange(() => changes++);

    const quiet = await waitFor('first answer', () => monitor.snapshot([gate])[key]);
    expect(quiet).toMatchObject({ ok: true, message: 'no alerts firing matching severity=critical' });

    // A non-matching alert must not count.
    await am.postAlert({ alertname: 'Noise', severity: 'warning' }, future());
    await am.postAlert({ alertname: 'HighErrorRate', severity: 'critical' }, future());
    await am.postAlert({ alertname: 'DiskFull', severity: 'critical', instance: 'db1' }, future());
    const firing = await waitFor('firing', () => {
      const r = monitor.snapshot([gate])[key];
      return r && !r.ok && r.message.startsWith('2 alerts') && r;
    });
    expect(firing.message).toMatch(/^2 alerts firing matching severity=critical: (HighErrorRate, DiskFull|DiskFull, HighErrorRate)$/);
    expect(firing.unreachable).toBeUndefined();
    expect(changes).toBeGreaterThanOrEqual(2);

    const verdict = evaluateGates(input({ gates: [gate], health: monitor.snapshot([gate]), rollingOut: true }));
    expect(verdict).toEqual({
      decision: 'fail',
      reasons: [{ code: 'ALERTS_FIRING', message: `alerts started firing during the rollout: ${firing.message}` }],
    });

    const beforeClear = changes;
    await am.postAlert({ alertname: 'HighErrorRate', severity: 'critical' }, past());
    await am.postAlert({ alertname: 'DiskFull', severity: 'critical', instance: 'db1' }, past());
    const cleared = await waitFor('cleared', () => monitor.snapshot([gate])[key]?.ok && monitor.snapshot([gate])[key]);
    expect(cleared.message).toBe('no alerts firing matching severity=critical');
    expect(changes).toBe(beforeClear + 1);
    expect(evaluateGates(input({ gates: [gate], health: monitor.snapshot([gate]) }))).toEqual({ decision: 'open', satisfied: [key] });
    off();
  });

  it('filters on every matcher', async () => {
    const gate: CompiledGate = { type: 'alerts', alertmanager: `${am.url}/`, matchers: { severity: 'critical', team: 'shop "eu"' } };
    await am.postAlert({ alertname: 'CheckoutDown', severity: 'critical', team: 'shop "eu"' }, future());
    await am.postAlert({ alertname: 'OtherTeam', severity: 'critical', team: 'search' }, future());
    const r = await waitFor('firing', () => {
      const res = monitor.snapshot([gate])[gateKey(gate)];
      return res && !res.ok && res;
    });
    expect(r.message).toBe('1 alert firing matching severity=critical,team=shop "eu": CheckoutDown');
    await am.postAlert({ alertname: 'CheckoutDown', severity: 'critical', team: 'shop "eu"' }, past());
  });

  it('an unreachable Alertmanager holds the channel and never fails it', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const gate: CompiledGate = { type: 'alerts', alertmanager: nobody, matchers: { severity: 'critical' } };
    const r = await waitFor('answer', () => monitor.snapshot([gate])[gateKey(gate)]);
    expect(r).toMatchObject({ ok: false, unreachable: true, message: `cannot reach alertmanager at ${nobody}: ECONNREFUSED` });
    const verdict = evaluateGates(input({ gates: [gate], health: monitor.snapshot([gate]), rollingOut: true }));
    expect(verdict).toMatchObject({ decision: 'wait', reasons: [{ code: 'CHECK_FAILING', message: r.message }] });
  });
});

describe('the Alertmanager test fixture', () => {
  it('fails with the install command when the binary is missing (never skips)', () => {
    expect(() => findAlertmanager({ ALERTMANAGER_BIN: '/nonexistent/alertmanager' })).toThrow(/Run \.ci\/install-alertmanager\.sh/);
  });
});
