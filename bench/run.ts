/**
 * Driftless benchmarks: `npm run bench` (full), `npm run bench -- --quick` (under 3 minutes),
 * `--smoke` (one tiny iteration of each figure, for CI), `--only=1,4` (some figures).
 * Writes bench/results/latest.json and latest.md (or smoke.json/md with --smoke) and prints the
 * table. Method and the latest full numbers: docs/benchmarks.md.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pc from 'picocolors';
import { DATABASES } from '../test/helpers/databases.js';
import { apiReads, fanOut } from './figures/api.js';
import { dashboardLatency, dashboardRender } from './figures/dashboard.js';
import { ioBoundConvergence, memory, reactionLatency, steadyThroughput } from './figures/engine.js';
import { million, scaleOut } from './figures/scale.js';
import { openSockets } from './figures/open-sockets.js';
import { machine } from './lib/machine.js';
import { markdownTable, printTable } from './lib/report.js';
import type { Mode, Plan, Row } from './lib/types.js';

const args = process.argv.slice(2);
const mode: Mode = args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full';
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').map(Number);
const out = args.find((a) => a.startsWith('--out='))?.slice('--out='.length);

const postgres = DATABASES.includes('postgresql');
const PLANS: Record<Mode, Plan> = {
  full: { mode: 'full', runs: 3, warmMs: 2000, windowMs: 5000, smallApps: 20, largeApps: 200, channels: 10, services: 50, releases: 250, subscribers: 1000, changes: 7, httpSeconds: 5, postgres },
  quick: { mode: 'quick', runs: 2, warmMs: 1000, windowMs: 2000, smallApps: 20, largeApps: 200, channels: 10, services: 50, releases: 200, subscribers: 1000, changes: 3, httpSeconds: 3, postgres },
  smoke: { mode: 'smoke', runs: 1, warmMs: 300, windowMs: 500, smallApps: 1, largeApps: 0, channels: 2, services: 5, releases: 3, subscribers: 10, changes: 1, httpSeconds: 1, postgres },
};
const plan = PLANS[mode];

const log = (line: string) => console.log(pc.dim(line));
const wanted = (n: number) => !only || only.includes(n);

async function main(): Promise<void> {
  const startedAt = new Date();
  const host = machine();
  console.log(pc.bold(`Driftless benchmarks (${mode}) on ${host.nproc}× ${host.cpu}, ${host.memoryGiB} GiB, Node ${host.node}`));
  if (!postgres) console.log(pc.yellow('nothing listens on 127.0.0.1:5432: the PostgreSQL figures do not run'));
  const rows: Row[] = [];
  const step = async (n: number, title: string, fn: () => Promise<Row | Row[]>) => {
    if (!wanted(n)) return;
    console.log(pc.cyan(title));
    const t0 = Date.now();
    for (const row of [await fn()].flat()) {
      rows.push(row);
      log(`  → ${row.value} ${row.unit}${row.baseline ? ` (baseline ${row.baseline.value})` : ''} in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  };

  await step(1, '1. Reaction latency', () => reactionLatency(plan, log));
  await step(2, '2. Steady-state throughput, SQLite, small fleet', () => steadyThroughput(plan, 'sqlite', plan.smallApps, log));
  if (plan.postgres) await step(2, '2. Steady-state throughput, PostgreSQL, small fleet', () => steadyThroughput(plan, 'postgresql', plan.smallApps, log));
  if (plan.largeApps && plan.mode === 'full') {
    await step(2, '2. Steady-state throughput, SQLite, large fleet', () => steadyThroughput(plan, 'sqlite', plan.largeApps, log));
    if (plan.postgres) await step(2, '2. Steady-state throughput, PostgreSQL, large fleet', () => steadyThroughput(plan, 'postgresql', plan.largeApps, log));
  }
  await step(3, '3. I/O-bound convergence', () => ioBoundConvergence(plan, log));
  await step(4, '4. API reads', () => apiReads(plan, log));
  await step(5, '5. Subscription fan-out', () => fanOut(plan, log));
  await step(6, '6. Memory', () => memory(plan, log));
  await step(7, '7. Dashboard: render', () => dashboardRender(plan, log));
  await step(7, '7. Dashboard: status change to screen', () => dashboardLatency(plan, log));
  await step(8, '8. Open WebSockets', () => openSockets(plan, log));
  if (plan.postgres) await step(9, '9. Scale-out: 2 replicas vs 1', () => scaleOut(plan, log));
  await step(10, '10. A million instances', () => million(plan, log));

  const finishedAt = new Date();
  const result = { mode, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000), machine: host, plan, figures: rows };
  const dir = out ? path.dirname(out) : fileURLToPath(new URL('./results/', import.meta.url));
  const base = out ? path.basename(out, '.json') : mode === 'smoke' ? 'smoke' : 'latest';
  mkdirSync(dir, { recursive: true });
  const md = markdownTable(result);
  writeFileSync(path.join(dir, `${base}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(dir, `${base}.md`), md);
  printTable(rows);
  console.log(pc.dim(`wrote ${path.join(dir, `${base}.json`)} and ${base}.md in ${result.seconds} s`));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
