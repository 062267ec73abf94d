/**
 * Gates as written (one key per list entry) → CompiledGate with milliseconds, day numbers and
 * defaults. parseConfig runs this to reject bad values with paths before anything is stored;
 * compileRelease runs it again so stored documents compile the same way.
 */
import type { PathSegment } from './diagnostics.js';
import { DURATION_HELP, parseDuration } from './durations.js';
import type { CompiledGate, GateDoc } from './types.js';

export interface GateProblem {
  /** Relative to the gate entry, e.g. ['allowedTimes', 'timezone']. */
  path: PathSegment[];
  text: string;
}

export type GateResult = { ok: true; gate: CompiledGate } | { ok: false; problems: GateProblem[] };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** "mon-fri", "sat,sun", ["mon", "wed"], "fri-mon" (wraps) → sorted day numbers, 0 = Sunday. */
export function parseDays(days: string | string[]): number[] | string {
  const parts = (Array.isArray(days) ? days : [days]).flatMap((d) => d.split(','));
  const result = new Set<number>();
  for (const raw of parts) {
    const part = raw.trim().toLowerCase();
    const [from, to, ...rest] = part.split('-');
    const start = DAY_NAMES.indexOf(from ?? '');
    const end = to === undefined ? start : DAY_NAMES.indexOf(to);
    if (start < 0 || end < 0 || rest.length > 0) {
      return `invalid days "${raw}": use ${DAY_NAMES.join(', ')}, ranges like mon-fri and lists like sat,sun`;
    }
    // A range walks forward through the week, so fri-mon means fri, sat, sun, mon.
    for (let day = start; ; day = (day + 1) % 7) {
      result.add(day);
      if (day === end) break;
    }
  }
  return [...result].sort((a, b) => a - b);
}

/** "9-17" → [9, 17]; end is exclusive, "22-6" wraps past midnight, "0-24" is all day. */
export function parseHours(hours: string): [number, number] | string {
  const match = /^(\d{1,2})-(\d{1,2})$/.exec(hours.trim());
  const help = 'use start-end in whole hours from 0 to 24, end exclusive, e.g. "9-17" or "22-6"';
  if (!match) return `invalid hours "${hours}": ${help}`;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > 23 || end > 24) return `invalid hours "${hours}": ${help}`;
  if (start === end) return `invalid hours "${hours}": the window is empty (start equals end)`;
  return [start, end];
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export function compileGate(gate: GateDoc): GateResult {
  const problems: GateProblem[] = [];
  const fail = (path: PathSegment[], text: string) => problems.push({ path, text });
  const duration = (path: PathSegment[], text: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined) fail(path, `invalid duration "${text}": ${DURATION_HELP}`);
    return ms ?? 0;
  };

  let compiled: CompiledGate | undefined;
  if ('soak' in gate) {
    compiled = { type: 'soak', durationMs: duration(['soak', 'duration'], gate.soak.duration), ...(gate.soak.protect === false ? { protect: false } : {}) };
  } else if ('manualApproval' in gate) {
    const minApprovers = gate.manualApproval?.minApprovers ?? 1;
    if (!Number.isInteger(minApprovers) || minApprovers < 1) fail(['manualApproval', 'minApprovers'], `must be a whole number >= 1, got ${minApprovers}`);
    compiled = { type: 'manualApproval', minApprovers, ...(gate.manualApproval?.preventSelfApproval ? { preventSelfApproval: true } : {}) };
  } else if ('allowedTimes' in gate) {
    const spec = gate.allowedTimes ?? {};
    const days = spec.days === undefined ? [0, 1, 2, 3, 4, 5, 6] : parseDays(spec.days);
    if (typeof days === 'string') fail(['allowedTimes', 'days'], days);
    const hours = spec.hours === undefined ? ([0, 24] as [number, number]) : parseHours(String(spec.hours));
    if (typeof hours === 'string') fail(['allowedTimes', 'hours'], hours);
    const timezone = spec.timezone ?? 'UTC';
    if (!isValidTimezone(timezone)) fail(['allowedTimes', 'timezone'], `unknown time zone "${timezone}": use an IANA name such as UTC or Europe/Berlin`);
    if (typeof days !== 'string' && typeof hours !== 'string') {
      compiled = { type: 'allowedTimes', days, startHour: hours[0], endHour: hours[1], timezone };
    }
  } else if ('alerts' in gate) {
    compiled = { type: 'alerts', alertmanager: gate.alerts.alertmanager, matchers: { ...(gate.alerts.matchers ?? {}) } };
  } else if ('httpCheck' in gate) {
    const check = gate.httpCheck;
    const intervalSeconds = check.intervalSeconds ?? 5;
    if (!(intervalSeconds > 0)) fail(['httpCheck', 'intervalSeconds'], `must be > 0, got ${intervalSeconds}`);
    compiled = {
      type: 'httpCheck',
      url: check.url,
      expectStatus: check.expectStatus ?? 200,
      durationMs: duration(['httpCheck', 'duration'], check.duration ?? '0s'),
      intervalMs: Math.round(intervalSeconds * 1000),
    };
  } else {
    fail([], 'a gate must have exactly one of soak, manualApproval, allowedTimes, alerts, httpCheck');
  }
  return problems.length > 0 || !compiled ? { ok: false, problems } : { ok: true, gate: compiled };
}
