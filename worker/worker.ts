/**
 * The piscina entry: runs one batch of ticks in this worker thread and returns plain results.
 * Ticks of a batch run concurrently (they wait on I/O); each has its own timeouts, so one hung
 * instance never stalls its neighbours. Plugin modules are imported once per thread and cached.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeProblems, type RuntimePlugin } from '@driftless/plugin-sdk';
import { failedTick, runTick } from './tick.js';
import type { TickBatch, TickInput, TickResult } from './types.js';

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
  if (/\.[cm]?ts$/.test(url)) {
    const { require: tsxRequire } = await import('tsx/cjs/api');
    return tsxRequire(fileURLToPath(url), import.meta.url) as { default?: unknown };
  }
  return (await import(url)) as { default?: unknown };
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

async function tickOne(input: TickInput, plugins: Record<string, string>): Promise<TickResult> {
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
    return await runTick(input, loaded.plugin);
  } catch (error) {
    // runTick does not throw by design; this is the last line of defence for the batch.
    const message = `plugin "${input.plugin}" tick crashed: ${error instanceof Error ? error.message : String(error)}`;
    return failedTick(input, startedAt, 'PLUGIN_ERROR', { hook: 'fetch', message, terminal: false, timedOut: false });
  }
}

export default async function runBatch(task: TickBatch): Promise<TickResult[]> {
  return Promise.all(task.ticks.map((tick) => tickOne(tick, task.plugins)));
}
