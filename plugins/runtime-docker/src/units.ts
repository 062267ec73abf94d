/** Small parsers for the notations compose files and Docker use: durations, sizes, shell words. */

const DURATION_UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** "1m30s", "500ms", "10s" or a number of seconds → nanoseconds (Docker's unit); undefined when malformed. */
export function durationNs(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 ? Math.round(value * 1e9) : undefined;
  const parts = [...value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNIT_NS[p[2]!]!, 0));
}

const SIZE_UNIT: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "256m", "1g", "512MiB", "1.5GB" or a number of bytes → bytes (binary units, like Docker); undefined when malformed. */
export function sizeBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgb])?(?:i?b)?$/i.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNIT[(m[2] ?? 'b').toLowerCase()]!);
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % (size / 1024) === 0) return `${+(bytes / size).toFixed(2)} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * Splits a command line the way compose does for `command: "sh -c 'echo hi'"` (POSIX shell
 * words: single and double quotes, backslash escapes; no expansion). Undefined on an open quote.
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}
