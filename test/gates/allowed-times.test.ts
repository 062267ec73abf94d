import { describe, expect, it } from 'vitest';
import { describeDays, describeWindow, windowState, type AllowedTimesGate } from '../../server/engine/gates/allowed-times.js';
import { evaluateGates } from '../../server/engine/gates/index.js';
import { input } from './fixtures.js';

const window = (days: number[], startHour: number, endHour: number, timezone: string): AllowedTimesGate => ({
  type: 'allowedTimes',
  days,
  startHour,
  endHour,
  timezone,
});
const MON_FRI = [1, 2, 3, 4, 5];
const utc = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

interface Row {
  name: string;
  gate: AllowedTimesGate;
  at: number;
  open: boolean;
  changesAt: number | undefined;
}

const berlin = window(MON_FRI, 9, 17, 'Europe/Berlin');
const nightShift = window(MON_FRI, 22, 6, 'Europe/Berlin');

const rows: Row[] = [
  { name: 'inside on a weekday', gate: berlin, at: utc(2026, 11, 25, 9), open: true, changesAt: utc(2026, 11, 25, 16) },
  { name: 'end hour is exclusive', gate: berlin, at: utc(2026, 11, 25, 16), open: false, changesAt: utc(2026, 11, 26, 8) },
  { name: 'before the start hour', gate: berlin, at: utc(2026, 11, 25, 7, 59), open: false, changesAt: utc(2026, 11, 25, 8) },
  { name: 'mon-fri on a Saturday opens next Monday', gate: berlin, at: utc(2026, 11, 28, 12), open: false, changesAt: utc(2026, 11, 30, 8) },
  // Berlin springs forward on Sun 2026-03-29: Monday 09:00 is 07:00 UTC, not 08:00.
  { name: 'across spring-forward DST', gate: berlin, at: utc(2026, 3, 28, 12), open: false, changesAt: utc(2026, 3, 30, 7) },
  // New York falls back on Sun 2026-11-01: Monday 09:00 is 14:00 UTC, not 13:00.
  {
    name: 'across fall-back DST',
    gate: window([1], 9, 17, 'America/New_York'),
    at: utc(2026, 10, 31, 12),
    open: false,
    changesAt: utc(2026, 11, 2, 14),
  },
  { name: 'wrapping window, Friday night', gate: nightShift, at: utc(2026, 11, 27, 22), open: true, changesAt: utc(2026, 11, 28, 5) },
  { name: 'wrapping window, its Saturday morning tail', gate: nightShift, at: utc(2026, 11, 28, 4), open: true, changesAt: utc(2026, 11, 28, 5) },
  { name: 'wrapping window, after the tail', gate: nightShift, at: utc(2026, 11, 28, 5), open: false, changesAt: utc(2026, 11, 30, 21) },
  { name: 'wrapping window, Monday early belongs to Sunday', gate: nightShift, at: utc(2026, 11, 30, 2), open: false, changesAt: utc(2026, 11, 30, 21) },
  // India is UTC+5:30: local hour boundaries fall on half hours in UTC.
  { name: 'half-hour offset', gate: window([0, 1, 2, 3, 4, 5, 6], 9, 17, 'Asia/Kolkata'), at: utc(2026, 11, 25, 3), open: false, changesAt: utc(2026, 11, 25, 3, 30) },
  { name: 'start == end means all day', gate: window([6], 0, 0, 'UTC'), at: utc(2026, 11, 28, 23), open: true, changesAt: utc(2026, 11, 29, 0) },
  { name: 'every hour of every day never changes', gate: window([0, 1, 2, 3, 4, 5, 6], 0, 24, 'UTC'), at: utc(2026, 11, 28, 23), open: true, changesAt: undefined },
  { name: 'no days never opens', gate: window([], 9, 17, 'UTC'), at: utc(2026, 11, 28, 23), open: false, changesAt: undefined },
];

describe('allowed times', () => {
  it.each(rows)('$name', (row) => {
    const state = windowState(row.gate, row.at);
    expect({ open: state.open, changesAt: state.changesAt }).toEqual({ open: row.open, changesAt: row.changesAt });
  });

  it('gives the same answers from the cache as computed fresh, in any order of calls', () => {
    const gate = window(MON_FRI, 9, 17, 'Europe/Berlin');
    const start = utc(2026, 11, 27, 0);
    const times = Array.from({ length: 200 }, (_, i) => start + i * 37 * 60_000);
    const forward = times.map((t) => windowState(gate, t));
    const backward = [...times].reverse().map((t) => windowState(gate, t)).reverse();
    expect(backward.map((s) => [s.open, s.changesAt])).toEqual(forward.map((s) => [s.open, s.changesAt]));
    // Friday 17:00 Berlin closes; Monday 09:00 reopens.
    expect(windowState(gate, utc(2026, 11, 27, 15, 59)).open).toBe(true);
    expect(windowState(gate, utc(2026, 11, 27, 16)).open).toBe(false);
  });

  it('describes windows the way people write them', () => {
    expect(describeDays(MON_FRI)).toBe('mon-fri');
    expect(describeDays([0, 6])).toBe('sat,sun');
    expect(describeDays([1, 3, 5])).toBe('mon,wed,fri');
    expect(describeDays([5, 6, 0, 1])).toBe('mon,fri-sun');
    expect(describeDays([0, 1, 2, 3, 4, 5, 6])).toBe('every day');
    expect(describeWindow(nightShift)).toBe('mon-fri 22:00-06:00 Europe/Berlin');
  });

  it('says when the next window opens, in the gate timezone, for a Saturday', () => {
    const verdict = evaluateGates(input({ now: utc(2026, 11, 28, 12), gates: [berlin] }));
    expect(verdict).toEqual({
      decision: 'wait',
      satisfied: [],
      recheckAt: utc(2026, 11, 30, 8),
      reasons: [
        {
          code: 'OUTSIDE_ALLOWED_TIMES',
          message: 'outside allowed times mon-fri 09:00-17:00 Europe/Berlin; next window opens Mon 2026-11-30 09:00 Europe/Berlin',
        },
      ],
    });
  });
});
