/** Small formatters for reason messages: read by people on call, so short and unambiguous. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 45s, 4m, 1h 5m, 2d 3h. Rounded down: "4m of 10m" must never claim more than has elapsed. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Math.floor(ms));
  if (v < MINUTE) return `${Math.floor(v / 1000)}s`;
  // No seconds past the first minute: a message that changes every second would be rewritten
  // by the engine on every pass.
  if (v < HOUR) return `${Math.floor(v / MINUTE)}m`;
  if (v < DAY) {
    const m = Math.floor((v % HOUR) / MINUTE);
    return m ? `${Math.floor(v / HOUR)}h ${m}m` : `${Math.floor(v / HOUR)}h`;
  }
  const h = Math.floor((v % DAY) / HOUR);
  return h ? `${Math.floor(v / DAY)}d ${h}h` : `${Math.floor(v / DAY)}d`;
}

/** "14:32 UTC" when `at` falls on the same UTC day as `now`, else "2026-11-30 14:32 UTC". */
export function formatUtc(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "alice, bob" — at most `max` names, then "and N more", so a message stays one line. */
export function listNames(names: string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
