/**
 * Scale figures (issue 17): two replicas against one on PostgreSQL, I/O-bound (9), and a million
 * instances on one SQLite server (10).
 */
import { spawnChild, type Child } from '../lib/rpc.js';
import { median, round, sleep } from '../lib/stats.js';
import type { Plan, Row } from '../lib/types.js';

type Log = (line: string) => void;

async function children(n: number): Promise<Child[]> {
  return Array.from({ length: n }, () => spawnChild());
}

/**
 * One fresh fleet (PostgreSQL, 50 ms per plugin call), converged by `replicas` server processes
 * on the same database: seconds from "all due" until every instance is CONVERGED, and CPU seconds.
 */
async function converge(plan: Plan, replicas: number, apps: number, log: Log): Promise<{ seconds: number; cpu: number }> {
  const procs = await children(replicas);
  try {
    const [first, ...others] = procs as [Child, ...Child[]];
    const { url } = await first.call('init', 'postgresql');
    const seeded = await first.call('seed', { applications: apps + 1, channels: plan.channels, services: plan.services, chain: false, state: 'fresh', spreadMs: 0, holdCopies: true });
    for (const other of others) await other.call('join', url);
    for (const p of procs) await p.call('setLatency', 50);
    for (const p of procs) await p.call('start', {});
    // The partitions spread over the replicas (each takes its share within a second or two) and the warm-up application converges.
    const share = Math.ceil(64 / replicas);
    for (let waited = 0; waited < 30_000; waited += 200) {
      const owned = await Promise.all(procs.map((p) => p.call<number[]>('ownedPartitions')));
      if (owned.every((o) => o.length > 0 && o.length <= share)) break;
      await sleep(200);
    }
    // Every replica ticks the warm-up application once it owns its share (threads load the plugin).
    await first.call('makeAllDue', 'template');
    await Promise.all(procs.map((p) => p.call('resync')));
    await sleep(Math.max(plan.warmMs, 1500));
    const cpu0 = await Promise.all(procs.map((p) => p.call<number>('cpu')));
    const t0 = await first.call<number>('makeAllDue');
    await Promise.all(procs.map((p) => p.call('resync')));
    const t1 = await first.call<number>('waitAllConverged', 180_000);
    const cpu1 = await Promise.all(procs.map((p) => p.call<number>('cpu')));
    const seconds = (t1 - t0) / 1000;
    const cpu = cpu1.reduce((sum, c, i) => sum + c - cpu0[i]!, 0);
    log(`  ${replicas} replica${replicas === 1 ? '' : 's'}: ${seeded.instances - plan.channels * plan.services} instances converged in ${round(seconds, 2)} s, ${round(cpu, 2)} s of CPU`);
    for (const p of procs) await p.call('stop');
    return { seconds, cpu };
  } finally {
    // The first child created the database and drops it: it closes last.
    for (const p of [...procs].reverse()) await p.close();
  }
}

/** 9. Scale-out: the same I/O-bound convergence with two replicas against one, side by side. */
export async function scaleOut(plan: Plan, log: Log): Promise<Row> {
  const apps = plan.smallApps;
  const one: number[] = [];
  const two: number[] = [];
  const runs: unknown[] = [];
  const repeat = plan.mode === 'full' ? 2 : 1;
  for (let run = 0; run < repeat; run++) {
    const a = await converge(plan, 1, apps, log);
    const b = await converge(plan, 2, apps, log);
    one.push(a.seconds);
    two.push(b.seconds);
    runs.push({ oneReplica: a, twoReplicas: b });
  }
  const speedup = round(median(one) / median(two), 2);
  return {
    figure: '9. Scale-out',
    measure: `${(apps * plan.channels * plan.services).toLocaleString('en')} fresh instances, 50 ms per plugin call, PostgreSQL, 2 replicas on one machine`,
    unit: 's',
    value: round(median(two), 2),
    baseline: { name: 'the same with 1 replica', value: round(median(one), 2) },
    ratio: speedup,
    ratioMeaning: '1 replica / 2 replicas',
    target: '≥ 1.8×',
    met: speedup >= 1.8,
    runs,
  };
}

/**
 * 10. A million instances on one server (SQLite), converged, default 30 s steady interval: RSS,
 * CPU, and whether every instance is checked within its interval (the engine's own per-partition
 * "oldest check", and ticks per second against instances / 30 s).
 */
export async function million(plan: Plan, log: Log): Promise<Row> {
  const apps = plan.mode === 'full' ? 2000 : plan.mode === 'quick' ? 200 : 1;
  const seeder = spawnChild();
  try {
    await seeder.call('init', 'sqlite');
    const seeded = await seeder.call('seed', { applications: apps, channels: plan.channels, services: plan.services, chain: true, state: 'converged', spreadMs: 30_000 });
    log(`  seeded ${seeded.instances.toLocaleString('en')} converged instances in ${round(seeded.ms / 1000, 1)} s`);
    const { dataDir } = await seeder.call('detach');
    const child = spawnChild();
    try {
      await child.call('attach', dataDir);
      await child.call('primeFake');
      await child.call('start', {});
      const startedAt = Date.now();
      // Adopting the partitions reads every instance; the first passes are full ticks (the first
      // writes what the seed left out of engine_state, the second finds nothing to write), then
      // every check is a short one (steady-check.ts). The window measures that steady state.
      const windowMs = plan.mode === 'full' ? 60_000 : plan.mode === 'quick' ? 20_000 : 1_000;
      await sleep(plan.mode === 'smoke' ? 300 : 5_000);
      const warmCap = Date.now() + (plan.mode === 'full' ? 900_000 : plan.mode === 'quick' ? 300_000 : 0);
      while (Date.now() < warmCap && (await child.call('coverage')).stats.short < seeded.instances) await sleep(2_000);
      const warmS = Math.round((Date.now() - startedAt) / 1000);
      log(`  steady (every instance checked short once) ${warmS} s after start`);
      const cpu0 = await child.call<number>('cpu');
      const c0 = await child.call('coverage');
      const rss: number[] = [];
      const end = Date.now() + windowMs;
      while (Date.now() < end) {
        rss.push((await child.call('rss')).rss / 2 ** 20);
        await sleep(1_000);
      }
      const cpu = (await child.call<number>('cpu')) - cpu0;
      const c1 = await child.call('coverage');
      const seconds = windowMs / 1000;
      const ticksPerSec = (c1.stats.ticks - c0.stats.ticks) / seconds;
      const needed = seeded.instances / 30;
      const keepsUp = ticksPerSec >= needed * 0.95 && c1.oldestAgoMs !== null && c1.oldestAgoMs <= 35_000;
      log(`  ${c1.scheduled} scheduled in ${c1.partitions} partitions; ${Math.round(ticksPerSec)} ticks/s (needs ${Math.round(needed)}/s), oldest check ${c1.oldestAgoMs === null ? 'not every partition checked yet' : `${round(c1.oldestAgoMs / 1000, 1)} s ago`}; RSS max ${round(Math.max(...rss))} MiB; CPU ${round(cpu / seconds, 2)} cores; ${Math.round((Date.now() - startedAt) / 1000)} s after start`);
      await child.call('stop');
      return {
        figure: '10. A million instances',
        measure: `${seeded.instances.toLocaleString('en')} converged instances, one server (SQLite), 30 s steady interval`,
        unit: 'ticks/s',
        value: Math.round(ticksPerSec),
        detail: `needs ${Math.round(needed).toLocaleString('en')}/s; oldest check ${c1.oldestAgoMs === null ? 'n/a (some partitions not checked through yet)' : `${round(c1.oldestAgoMs / 1000, 1)} s`}; RSS max ${round(Math.max(...rss), 0)} MiB, median ${round(median(rss), 0)}; CPU ${round(cpu / seconds, 2)} cores; measured from ${warmS} s after start (the first full passes)`,
        baseline: { name: 'instances / steady interval', value: Math.round(needed) },
        ratio: round(ticksPerSec / needed, 2),
        ratioMeaning: 'ticks/s / needed',
        target: 'runs; every check within its interval',
        met: keepsUp,
        runs: [{ c0, c1, rss, cpu, windowMs, warmS }],
      };
    } finally {
      await child.close();
    }
  } finally {
    await seeder.close();
  }
}
