/** Durations as users write them ("500ms", "30s", "10m", "1h30m") → milliseconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(\d+(ms|s|m|h))+$/;
const PART = /(\d+)(ms|s|m|h)/g;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

export const DURATION_HELP = 'use whole numbers with units ms, s, m or h, e.g. 500ms, 30s, 10m, 1h30m';
