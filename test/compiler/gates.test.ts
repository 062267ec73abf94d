/** Gate compilation and the duration syntax, as tables. */
import { describe, expect, it } from 'vitest';
import { compileGate, parseDuration, type GateDoc } from '../../server/compiler/index.js';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '10d', '1.5h', 'm', '-1s', '10 m', '1h 30m', 'ten minutes'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('compileGate', () => {
  it.each<[string, GateDoc, unknown]>([
    ['soak', { soak: { duration: '10m' } }, { type: 'soak', durationMs: 600_000 }],
    ['manual approval default', { manualApproval: {} }, { type: 'manualApproval', minApprovers: 1 }],
    ['manual approval', { manualApproval: { minApprovers: 2 } }, { type: 'manualApproval', minApprovers: 2 }],
    ['all defaults for allowed times', { allowedTimes: {} }, { type: 'allowedTimes', days: [0, 1, 2, 3, 4, 5, 6], startHour: 0, endHour: 24, timezone: 'UTC' }],
    ['weekdays', { allowedTimes: { days: 'mon-fri', hours: '9-17' } }, { type: 'allowedTimes', days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timezone: 'UTC' }],
    ['weekend list', { allowedTimes: { days: 'sat,sun' } }, { type: 'allowedTimes', days: [0, 6], startHour: 0, endHour: 24, timezone: 'UTC' }],
    ['day array', { allowedTimes: { days: ['mon', 'wed'] } }, { type: 'allowedTimes', days: [1, 3], startHour: 0, endHour: 24, timezone: 'UTC' }],
    ['wrapping day range', { allowedTimes: { days: 'fri-mon' } }, { type: 'allowedTimes', days: [0, 1, 5, 6], startHour: 0, endHour: 24, timezone: 'UTC' }],
    ['mixed ranges and days', { allowedTimes: { days: ['mon-tue', 'thu,sat'] } }, { type: 'allowedTimes', days: [1, 2, 4, 6], startHour: 0, endHour: 24, timezone: 'UTC' }],
    ['hours past midnight', { allowedTimes: { hours: '22-6', timezone: 'America/New_York' } }, { type: 'allowedTimes', days: [0, 1, 2, 3, 4, 5, 6], startHour: 22, endHour: 6, timezone: 'America/New_York' }],
    ['alerts default matchers', { alerts: { alertmanager: 'http://am:9093' } }, { type: 'alerts', alertmanager: 'http://am:9093', matchers: {} }],
    ['alerts', { alerts: { alertmanager: 'http://am:9093', matchers: { severity: 'critical' } } }, { type: 'alerts', alertmanager: 'http://am:9093', matchers: { severity: 'critical' } }],
    ['http check defaults', { httpCheck: { url: 'http://x/healthz' } }, { type: 'httpCheck', url: 'http://x/healthz', expectStatus: 200, durationMs: 0, intervalMs: 5000 }],
    ['http check', { httpCheck: { url: 'http://x/', expectStatus: 204, duration: '2m', intervalSeconds: 10 } }, { type: 'httpCheck', url: 'http://x/', expectStatus: 204, durationMs: 120_000, intervalMs: 10_000 }],
  ])('%s', (_title, gate, expected) => {
    expect(compileGate(gate)).toEqual({ ok: true, gate: expected });
  });

  it.each<[string, GateDoc, string, string]>([
    ['bad soak duration', { soak: { duration: '10 min' } }, 'soak.duration', 'invalid duration "10 min"'],
    ['zero approvers', { manualApproval: { minApprovers: 0 } }, 'manualApproval.minApprovers', 'must be a whole number >= 1'],
    ['unknown day', { allowedTimes: { days: 'mon-fry' } }, 'allowedTimes.days', 'invalid days "mon-fry"'],
    ['hour 25', { allowedTimes: { hours: '9-25' } }, 'allowedTimes.hours', 'invalid hours "9-25"'],
    ['start hour 24', { allowedTimes: { hours: '24-6' } }, 'allowedTimes.hours', 'invalid hours "24-6"'],
    ['empty window', { allowedTimes: { hours: '5-5' } }, 'allowedTimes.hours', 'the window is empty'],
    ['unknown time zone', { allowedTimes: { timezone: 'Mars/Olympus' } }, 'allowedTimes.timezone', 'unknown time zone "Mars/Olympus"'],
    ['bad http check duration', { httpCheck: { url: 'http://x/', duration: 'forever' } }, 'httpCheck.duration', 'invalid duration "forever"'],
  ])('rejects %s', (_title, gate, path, text) => {
    const result = compileGate(gate);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path.join('.'))).toEqual([path]);
    expect(result.problems[0]!.text).toContain(text);
  });

  it('reports every bad field of an allowedTimes gate', () => {
    const result = compileGate({ allowedTimes: { days: 'someday', hours: '9', timezone: 'Nowhere' } });
    expect(result.ok ? [] : result.problems.map((p) => p.path.at(-1))).toEqual(['days', 'hours', 'timezone']);
  });
});
