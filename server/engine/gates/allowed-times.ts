/**
 * Allowed-times windows: is `now` inside the window in the gate's timezone, and when does that
 * change next. Uses Intl only (no tz database of our own), so DST follows the runtime's ICU data.
 *
 * Semantics: `days` are local weekdays (0 = Sunday), hours are local, `endHour` is exclusive.
 * `startHour === endHour` means the whole day. A window that wraps midnight (start > end) belongs
 * to the day it starts on: `mon-fri 22-6` includes Friday 23:00 and Saturday 05:00, not Monday 03:00.
 */
import type { CompiledGate } from '../../compiler/types.js';

export type AllowedTimesGate = Extract<CompiledGate, { type: 'allowedTimes' }>;

export interface LocalTime {
  weekday: number;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface WindowState {
  open: boolean;
  /** ms epoch of the next opening (when closed) or closing (when open); undefined: never changes. */
  changesAt?: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const HOUR = 3_600_000;
/** A weekly pattern that does not change within 8 days never changes at all. */
const SEARCH_HOURS = 8 * 24 + 2;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for an unknown timezone. Formatters are cached: constructing one costs ~50 µs. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localTime(at: number, timeZone: string): LocalTime {
  const t: LocalTime = { weekday: 0, year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type === 'weekday') t.weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'year' || part.type === 'month' || part.type === 'day' || part.type === 'minute' || part.type === 'second') {
      t[part.type] = Number(part.value);
    } else if (part.type === 'hour') t.hour = Number(part.value) % 24;
  }
  return t;
}

export function isInside(gate: AllowedTimesGate, t: LocalTime): boolean {
  const { days, startHour: start, endHour: end } = gate;
  if (start === end) return days.includes(t.weekday);
  if (start < end) return days.includes(t.weekday) && t.hour >= start && t.hour < end;
  if (t.hour >= start) return days.includes(t.weekday);
  return t.hour < end && days.includes((t.weekday + 6) % 7);
}

interface CacheEntry extends WindowState {
  from: number;
}
const cache = new Map<string, CacheEntry>();
const CACHE_LIMIT = 1024;

/**
 * Window state at `now`. Computing the next change steps from one local hour boundary to the next
 * (window edges only fall on them; stepping local boundaries, not UTC hours, keeps DST and
 * half-hour offsets right), up to ~190 Intl calls. The answer holds unchanged for every instant in
 * [from, changesAt), so one cached entry per window answers all instances until the window flips.
 */
export function windowState(gate: AllowedTimesGate, now: number): WindowState {
  const sig = `${gate.timezone}|${gate.days.join(',')}|${gate.startHour}|${gate.endHour}`;
  const hit = cache.get(sig);
  if (hit && now >= hit.from && (hit.changesAt === undefined || now < hit.changesAt)) return hit;

  const open = isInside(gate, localTime(now, gate.timezone));
  let changesAt: number | undefined;
  let t = now;
  for (let i = 0; i < SEARCH_HOURS; i++) {
    const lt = localTime(t, gate.timezone);
    t = t - ((lt.minute * 60 + lt.second) * 1000 + (((t % 1000) + 1000) % 1000)) + HOUR;
    if (isInside(gate, localTime(t, gate.timezone)) !== open) {
      changesAt = t;
      break;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  // Callers' clocks may step back a little (instances stamped at different moments of one pass):
  // widen the entry instead of replacing it, so they do not recompute in turn.
  const same = hit && hit.open === open && hit.changesAt === changesAt;
  const entry: CacheEntry = { open, changesAt, from: same ? Math.min(hit.from, now) : now };
  cache.set(sig, entry);
  return entry;
}

/** "mon-fri 09:00-17:00 Europe/Berlin". */
export function describeWindow(gate: AllowedTimesGate): string {
  const hours = gate.startHour === gate.endHour ? 'all day' : `${hh(gate.startHour)}-${hh(gate.endHour)}`;
  return `${describeDays(gate.days)} ${hours} ${gate.timezone}`;
}

/** Monday-first runs of 3+ days become ranges: [1..5] → "mon-fri", [0,6] → "sat,sun". */
export function describeDays(days: number[]): string {
  const set = new Set(days);
  if (set.size === 7) return 'every day';
  if (set.size === 0) return 'no days';
  const order = [1, 2, 3, 4, 5, 6, 0].filter((d) => set.has(d));
  const pos = (d: number) => (d + 6) % 7;
  const parts: string[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && pos(order[j + 1]!) === pos(order[j]!) + 1) j++;
    const run = order.slice(i, j + 1).map((d) => DAY_NAMES[d]!);
    parts.push(run.length >= 3 ? `${run[0]}-${run[run.length - 1]}` : run.join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** "Mon 2026-11-30 09:00 Europe/Berlin". */
export function formatZoned(at: number, timeZone: string): string {
  const t = localTime(at, timeZone);
  const name = DAY_NAMES[t.weekday]!;
  const date = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  return `${name[0]!.toUpperCase()}${name.slice(1)} ${date} ${pad(t.hour)}:${pad(t.minute)} ${timeZone}`;
}

function hh(hour: number): string {
  return `${pad(hour)}:00`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
