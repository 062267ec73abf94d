import Table from 'cli-table3';
import pc from 'picocolors';
import type { Machine } from './machine.js';
import type { Row } from './types.js';

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: 2 }) : String(n));

function cells(r: Row): string[] {
  return [
    r.figure,
    r.measure,
    `${fmt(r.value)} ${r.unit}${r.detail ? ` (${r.detail})` : ''}`,
    r.baseline ? `${fmt(r.baseline.value)} ${r.unit} — ${r.baseline.name}${r.baseline.detail ? ` (${r.baseline.detail})` : ''}` : '–',
    r.ratio !== undefined ? `${fmt(r.ratio)} (${r.ratioMeaning})` : '–',
    r.target ?? '–',
    r.met === undefined ? '–' : r.met ? 'yes' : 'NO',
  ];
}

const HEAD = ['Figure', 'Measure', 'Driftless', 'Baseline', 'Ratio', 'Target', 'Met'];

export function printTable(rows: Row[]): void {
  const table = new Table({ head: HEAD.map((h) => pc.bold(h)), wordWrap: true, colWidths: [14, 34, 30, 34, 16, 16, 5] });
  for (const r of rows) {
    const c = cells(r);
    c[6] = r.met === false ? pc.red(c[6]!) : r.met ? pc.green(c[6]!) : c[6]!;
    table.push(c);
  }
  console.log(table.toString());
}

export function markdownTable(result: { mode: string; startedAt: string; seconds: number; machine: Machine; figures: Row[] }): string {
  const m = result.machine;
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `# Driftless benchmarks (${result.mode} run)`,
    '',
    `${result.startedAt}, ${result.seconds} s. Machine: ${m.nproc} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...result.figures.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
