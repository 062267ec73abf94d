import { createRequire } from 'node:module';
import pc from 'picocolors';
import { usageError } from './errors.js';

export type OutputFormat = 'table' | 'json';

export function outputFormat(value: unknown): OutputFormat {
  if (value === undefined || value === 'table' || value === 'text') return 'table';
  if (value === 'json') return 'json';
  throw usageError(`unknown --output "${String(value)}"`, 'use --output json or --output table');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A borderless table (easy to read and to grep); picocolors turns itself off when piped. */
export function table(head: string[], rows: (string | number)[][]): string {
  // Loaded on first use (it measures text width with large tables): CLI calls start faster.
  const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
  const t = new Table({
    head: head.map((h) => pc.bold(h)),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '' },
  });
  for (const row of rows) t.push(row.map(String));
  return t.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

export function colorStatus(status: string): string {
  switch (status) {
    case 'CONVERGED':
      return pc.green(status);
    case 'FAILED':
    case 'ROLLED_BACK':
    case 'ROLLING_BACK':
      return pc.red(status);
    case 'WAITING':
    case 'PAUSED':
      return pc.yellow(status);
    case 'CONVERGING':
      return pc.cyan(status);
    default:
      return pc.dim(status);
  }
}

export function elapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "10m", "90s", "1h30m" or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  if (!matched || matched !== trimmed.length) throw usageError(`not a duration: "${text}"`, 'use e.g. 90s, 10m or 1h30m');
  return total;
}
