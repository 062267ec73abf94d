/**
 * The tick pool the scheduler calls: batches of ticks run in piscina worker threads.
 * A piscina task costs ~40 µs, so ticks travel in batches (≤ maxBatch per task) and a batch is
 * split so every thread gets a share. Losing a thread (a plugin busy-looped past its batch's
 * deadline, ran out of memory, called process.exit or crashed natively) fails only the ticks of
 * the plugin that caused it; see batch-guard.ts.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { BatchGuard } from './batch-guard.js';
import type { TickInput, TickResult } from './types.js';

export interface TickPoolOptions {
  minThreads?: number;
  maxThreads?: number;
  /** Most ticks per piscina task. Default 500. */
  maxBatch?: number;
  /** Environment of the worker threads (plugins read e.g. DRIFTLESS_DATA_DIR). Default: this process's. */
  env?: Record<string, string | undefined>;
  /**
   * Added to a batch's longest tick budget (fetchMs + applyMs) to make the deadline after which
   * its thread counts as blocked and is replaced. Covers importing plugins in a fresh thread.
   * Default 2000.
   */
  deadlineMarginMs?: number;
  /** Heap limit of each worker thread (V8 old generation), in MB. Default 512. */
  memoryLimitMb?: number;
  /**
   * A thread failed while it ran no task (e.g. a plugin's background timer threw). Without a
   * listener piscina's 'error' event would crash the whole process. Default: ignored.
   */
  onThreadError?: (error: Error) => void;
}

export interface TickPool {
  /**
   * Results come back in the order of `ticks`. Never rejects because of a plugin. With `onResult`,
   * each tick's result is also handed over as soon as it is ready, once per tick, so a slow call
   * holds up only its own tick (onResult must not throw).
   */
  run(ticks: TickInput[], plugins: Record<string, string>, onResult?: (result: TickResult) => void): Promise<TickResult[]>;
  close(): Promise<void>;
  readonly threads: number;
}

/**
 * Under vitest or tsx this module runs from source (pool.ts), so the worker is worker.ts and
 * needs tsx in the thread (STACK.md trap 4); built, it is dist/worker/worker.js and plain node.
 */
function workerEntry(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  // tsx by absolute URL: a bare `--import tsx` resolves against the current directory, which fails
  // when the server runs from source with another working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const execArgv = fromSource ? [...process.execArgv, '--import', tsx, '--conditions=source'] : [...process.execArgv];
  return { filename: fileURLToPath(url), execArgv };
}

const TASKS_PER_THREAD = 4;

// piscina 5 does not export its balancer types from the package root.
type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;
type PiscinaWorker = Parameters<LoadBalancer>[1][number];

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * piscina's least-busy choice, minus threads that look held by a spinning plugin: a task posted
 * there would only wait for that thread's deadline and be lost with it. Null makes piscina start
 * another thread (below maxThreads) or queue the task until one frees up.
 */
function pickThread(workers: PiscinaWorker[], maxUsage: number, isHeld: (threadId: number) => boolean): PiscinaWorker | null {
  let best: PiscinaWorker | null = null;
  for (const worker of workers) {
    if (worker.terminating || worker.destroyed || isHeld(worker.id)) continue;
    if (worker.currentUsage === 0) return worker;
    if (worker.currentUsage < maxUsage && (!best || worker.currentUsage < best.currentUsage)) best = worker;
  }
  return best;
}

export function createTickPool(options: TickPoolOptions = {}): TickPool {
  const maxThreads = Math.max(1, options.maxThreads ?? Math.max(1, availableParallelism()));
  const minThreads = Math.min(maxThreads, Math.max(0, options.minThreads ?? maxThreads));
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const memoryLimitMb = Math.max(16, options.memoryLimitMb ?? 512);
  const { filename, execArgv } = workerEntry();
  const piscina = new Piscina({
    filename,
    execArgv,
    env: options.env ?? process.env,
    // A plugin that allocates without bound ends its own thread ('ERR_WORKER_OUT_OF_MEMORY'),
    // not the server.
    resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb },
    minThreads,
    maxThreads,
    // Ticks wait on I/O: a thread can hold a few batches at once, so a batch with a hung
    // instance (waiting for its timeout) does not hold up the next batch behind it. A lost thread
    // takes its other batches with it; batch-guard.ts runs their innocent ticks again.
    concurrentTasksPerWorker: TASKS_PER_THREAD,
    loadBalancer: (_task, workers): PiscinaWorker | null => pickThread(workers, TASKS_PER_THREAD, (threadId) => guard.isHeld(threadId)),
    idleTimeout: 60_000,
    // 'sync' (piscina's default) parks idle threads in Atomics.wait, which freezes their event
    // loop: plugin background work (keep-alives, the fake runtime's replication) would stall
    // between batches and a fault sent to a thread would arrive after its next task.
    atomics: 'async',
  });
  piscina.on('error', (error: Error) => options.onThreadError?.(error));
  const guard: BatchGuard = new BatchGuard(piscina, { deadlineMarginMs: Math.max(0, options.deadlineMarginMs ?? 2_000), memoryLimitMb });
  let closed = false;

  return {
    threads: maxThreads,
    async run(ticks, plugins, onResult) {
      if (closed) throw new Error('tick pool is closed');
      if (ticks.length === 0) return [];
      // Spread a small batch across threads, but never exceed maxBatch per task.
      const size = Math.min(maxBatch, Math.ceil(ticks.length / maxThreads));
      const results = await Promise.all(chunk(ticks, size).map((part) => guard.run(part, plugins, true, onResult && ((r) => onResult(r)))));
      return results.flat();
    },
    async close() {
      if (closed) return;
      closed = true;
      guard.close();
      await piscina.close({ force: true });
    },
  };
}
