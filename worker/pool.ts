/**
 * The tick pool the scheduler calls: batches of ticks run in piscina worker threads.
 * A piscina task costs ~40 µs, so ticks travel in batches (≤ maxBatch per task) and a batch is
 * split so every thread gets a share. A batch whose thread dies (a plugin called process.exit or
 * crashed natively) fails only its own ticks.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { failedTick } from './tick.js';
import type { TickBatch, TickInput, TickResult } from './types.js';

export interface TickPoolOptions {
  minThreads?: number;
  maxThreads?: number;
  /** Most ticks per piscina task. Default 500. */
  maxBatch?: number;
  /** Environment of the worker threads (plugins read e.g. DRIFTLESS_DATA_DIR). Default: this process's. */
  env?: Record<string, string | undefined>;
}

export interface TickPool {
  /** Results come back in the order of `ticks`. Never rejects because of a plugin. */
  run(ticks: TickInput[], plugins: Record<string, string>): Promise<TickResult[]>;
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
  const execArgv = fromSource ? [...process.execArgv, '--import', 'tsx', '--conditions=source'] : [...process.execArgv];
  return { filename: fileURLToPath(url), execArgv };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createTickPool(options: TickPoolOptions = {}): TickPool {
  const maxThreads = Math.max(1, options.maxThreads ?? Math.max(1, availableParallelism()));
  const minThreads = Math.min(maxThreads, Math.max(0, options.minThreads ?? maxThreads));
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const { filename, execArgv } = workerEntry();
  const piscina = new Piscina({
    filename,
    execArgv,
    env: options.env ?? process.env,
    minThreads,
    maxThreads,
    // Ticks wait on I/O: a thread can hold a few batches at once, so a batch with a hung
    // instance (waiting for its timeout) does not hold up the next batch behind it.
    concurrentTasksPerWorker: 4,
    idleTimeout: 60_000,
    // 'sync' (piscina's default) parks idle threads in Atomics.wait, which freezes their event
    // loop: plugin background work (keep-alives, the fake runtime's replication) would stall
    // between batches and a fault sent to a thread would arrive after its next task.
    atomics: 'async',
  });
  let closed = false;

  async function runBatch(batch: TickBatch): Promise<TickResult[]> {
    try {
      return (await piscina.run(batch)) as TickResult[];
    } catch (error) {
      const message = `worker thread failed: ${error instanceof Error ? error.message : String(error)}`;
      const now = Date.now();
      return batch.ticks.map((t) => failedTick(t, now, 'PLUGIN_ERROR', { hook: 'fetch', message, terminal: false, timedOut: false }));
    }
  }

  return {
    threads: maxThreads,
    async run(ticks, plugins) {
      if (closed) throw new Error('tick pool is closed');
      if (ticks.length === 0) return [];
      // Spread a small batch across threads, but never exceed maxBatch per task.
      const size = Math.min(maxBatch, Math.ceil(ticks.length / maxThreads));
      const results = await Promise.all(chunk(ticks, size).map((part) => runBatch({ ticks: part, plugins })));
      return results.flat();
    },
    async close() {
      if (closed) return;
      closed = true;
      await piscina.close({ force: true });
    },
  };
}
