/**
 * The piscina entry: runs one batch of ticks in this worker thread and returns plain results.
 * Ticks of a batch run concurrently (they wait on I/O); each has its own timeouts, so one hung
 * instance never stalls its neighbours. Plugin modules are imported once per thread and cached.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, threadId } from 'node:worker_threads';
import { describeProblems, type RuntimePlugin } from '@driftless/plugin-sdk';
import { ProgressWriter, Stage } from './batch-progress.js';
import { failedTick, runTick, type HookGuard } from './tick.js';
import { withSteadyDigest } from './steady-digest.js';
import type { BatchStartedMessage, TickBatch, TickInput, TickResult, TicksDoneMessage } from './types.js';

type Loaded = { ok: true; plugin: RuntimePlugin } | { ok: false; message: string };

const cache = new Map<string, Promise<Loaded>>();

function toUrl(location: string): string {
  return /^(file|data):/.test(location) ? location : pathToFileURL(location).href;
}

/**
 * Imports a plugin module. TypeScript sources (tests, `tsx` runs) go through tsx's require hook:
 * Node 20 runs no ESM loader hooks in worker threads, so `import()` of a .ts file fails there,
 * while the require hook (installed in-thread by `--import tsx`) works. Built plugins use import().
 */
async function importModule(location: string): Promise<{ default?: unknown }> {
  const url = toUrl(location);
  if (/\.[cm]?ts$/.test(url)) return requireWithTsx(url);
  try {
    return (await import(url)) as { default?: unknown };
  } catch (error) {
    // From source (tests), a plain-JS plugin's `import '@driftless/plugin-sdk'` resolves through the
    // 'source' condition to TypeScript, which import() cannot load here. Linking fails before any
    // of the plugin's code runs, so loading it again through tsx has no side effects to repeat.
    if (RUNNING_FROM_SOURCE && (error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION') return requireWithTsx(url);
    throw error;
  }
}

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

async function requireWithTsx(url: string): Promise<{ default?: unknown }> {
  const { require: tsxRequire } = await import('tsx/cjs/api');
  return tsxRequire(fileURLToPath(url), import.meta.url) as { default?: unknown };
}

async function importPlugin(name: string, location: string): Promise<Loaded> {
  try {
    const mod = await importModule(location);
    const candidate = mod.default as Record<string, unknown> | undefined;
    const problems = describeProblems(candidate);
    if (problems.length > 0) return { ok: false, message: `plugin "${name}" is not a runtime plugin: ${problems.join('; ')}` };
    return { ok: true, plugin: candidate as unknown as RuntimePlugin };
  } catch (error) {
    return { ok: false, message: `plugin "${name}" failed to load: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function load(name: string, location: string): Promise<Loaded> {
  const key = `${name}\0${location}`;
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = importPlugin(name, location);
    cache.set(key, loaded);
  }
  return loaded;
}

async function tickOne(input: TickInput, plugins: Record<string, string>, guard?: HookGuard): Promise<TickResult> {
  const startedAt = Date.now();
  const unavailable = (message: string) =>
    failedTick(input, startedAt, 'PLUGIN_UNAVAILABLE', { hook: 'load', message, terminal: false, timedOut: false });
  const location = Object.hasOwn(plugins, input.plugin) ? plugins[input.plugin] : undefined;
  if (location === undefined) {
    const known = Object.keys(plugins).sort().join(', ') || 'none';
    return unavailable(`no runtime plugin named "${input.plugin}" is loaded (loaded: ${known})`);
  }
  const loaded = await load(input.plugin, location);
  if (!loaded.ok) return unavailable(loaded.message);
  try {
    return withSteadyDigest(input, await runTick(input, loaded.plugin, guard));
  } catch (error) {
    // runTick does not throw by design; this is the last line of defence for the batch.
    const message = `plugin "${input.plugin}" tick crashed: ${error instanceof Error ? error.message : String(error)}`;
    return failedTick(input, startedAt, 'PLUGIN_ERROR', { hook: 'fetch', message, terminal: false, timedOut: false });
  }
}

async function tracked(progress: ProgressWriter, index: number, input: TickInput, plugins: Record<string, string>): Promise<TickResult> {
  progress.stage(index, Stage.load);
  try {
    return await tickOne(input, plugins, (hook, call) => progress.during(index, hook, call));
  } finally {
    progress.stage(index, Stage.done);
  }
}

/**
 * Posts a streaming batch's results as they come: those finished in one turn of the event loop
 * travel in one message (a message per tick would cost more than the tick when calls are fast).
 */
class ResultStream {
  private pending: [number, TickResult][] = [];
  private scheduled = false;
  constructor(private readonly batchId: number) {}
  add(index: number, result: TickResult): void {
    this.pending.push([index, result]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const message: TicksDoneMessage = { driftlessTicksDone: this.batchId, results: this.pending };
    this.pending = [];
    parentPort?.postMessage(message);
  }
}

/**
 * A streaming batch returns null: every result was posted before, and the pool waits for them
 * (messages and the task's answer travel on different ports, so either may arrive first).
 */
export default async function runBatch(task: TickBatch): Promise<TickResult[] | null> {
  if (!task.progress) return Promise.all(task.ticks.map((tick) => tickOne(tick, task.plugins)));
  const progress = new ProgressWriter(task.progress);
  progress.started(threadId);
  // Arms the batch's deadline in the main thread. Sent before any plugin code runs, so it leaves
  // even when the very next call blocks this thread for good.
  if (task.batchId !== undefined) parentPort?.postMessage({ driftlessBatchStarted: task.batchId } satisfies BatchStartedMessage);
  if (!task.stream || task.batchId === undefined) return Promise.all(task.ticks.map((tick, i) => tracked(progress, i, tick, task.plugins)));
  const stream = new ResultStream(task.batchId);
  await Promise.all(task.ticks.map(async (tick, i) => stream.add(i, await tracked(progress, i, tick, task.plugins))));
  stream.flush();
  return null;
}
