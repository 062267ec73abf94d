/**
 * Plugin isolation through the real tick pool (real worker threads, plain-JS plugin packages from
 * test/fixtures/plugins): a busy loop, a runaway allocation, malformed state and a broken import
 * each fail only the ticks of the plugin at fault, and the pool keeps serving.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTickPool, type TickPool } from '../../worker/pool.js';
import type { TickInput, TickResult } from '../../worker/types.js';
import { target, tick } from './fixtures.js';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/plugins/${path}`, import.meta.url));
const plugins = {
  good: fixture('good/index.js'),
  spin: fixture('_isolation/spin/index.js'),
  hog: fixture('_isolation/hog/index.js'),
  malformed: fixture('_isolation/malformed/index.js'),
  throws: fixture('throws/index.js'),
  nodefault: fixture('no-default/index.js'),
};

// Deadline of a batch of these ticks: 400 + 400 + the 300 ms margin the pools below use.
const timeouts = { fetchMs: 400, applyMs: 400 };
const DEADLINE_MS = 1_100;

function t(name: string, plugin: string, spec: Record<string, unknown> = {}): TickInput {
  return tick({ instanceId: `shop/${name}/web`, plugin, target: target('rel-def', spec), timeouts });
}

const good = (name: string) => t(name, 'good');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectApplied(results: TickResult[]): void {
  for (const r of results) {
    expect(r.error, r.instanceId).toBeUndefined();
    expect(r.applied, r.instanceId).toBe(true);
  }
}

describe('a plugin that busy-loops', () => {
  let pool: TickPool;
  beforeAll(async () => {
    pool = createTickPool({ minThreads: 1, maxThreads: 1, deadlineMarginMs: 300 });
    // Load both plugins in the thread, so timings below are not about first imports.
    await pool.run([good('warm'), t('warm-spin', 'spin', { spin: 'no' })], plugins);
  });
  afterAll(() => pool.close());

  it('gets its thread replaced at the batch deadline; its neighbours, in its batch and on its thread, run again and succeed', async () => {
    const started = Date.now();
    // On the only thread, mid-way (waiting on a timer) when the spinner blocks the thread.
    const sharing = pool.run([t('slow', 'spin', { spin: 'no', waitMs: 250 })], plugins);
    await sleep(100);
    const [spun, neighbour] = await pool.run([t('spin', 'spin'), good('neighbour')], plugins);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(spun!.reasons[0]).toEqual({
      code: 'PLUGIN_TIMEOUT',
      message: `plugin "spin" fetch did not return within ${DEADLINE_MS} ms and blocked its worker thread; the thread was replaced`,
    });
    expect(spun!.error).toMatchObject({ plugin: 'spin', hook: 'fetch', timedOut: true, terminal: false });
    expectApplied([neighbour!, ...(await sharing)]);

    // The replacement thread serves (with a single thread, nothing else could).
    expectApplied(await pool.run([good('after-1'), good('after-2')], plugins));
  });

  it('streaming: results that arrived before the thread was lost stand; only the rest run again, each handed over once', async () => {
    const seen: string[] = [];
    const results = await pool.run([good('quick'), t('spin-late', 'spin', { spin: 'apply', waitMs: 150 }), good('quick-2')], plugins, (r) => seen.push(r.instanceId));
    const [quick, spun, quick2] = results;
    expect(spun!.reasons[0]!.code).toBe('PLUGIN_TIMEOUT');
    expectApplied([quick!, quick2!]);
    expect([...seen].sort()).toEqual(['shop/quick-2/web', 'shop/quick/web', 'shop/spin-late/web']);
    // The quick ones were handed over long before the deadline replaced the thread: not run again.
    expect(seen.slice(0, 2).sort()).toEqual(['shop/quick-2/web', 'shop/quick/web']);
  });

  it('in apply is named with the apply hook', async () => {
    const [spun] = await pool.run([t('spin-apply', 'spin', { spin: 'apply' })], plugins);
    expect(spun!.reasons[0]!.message).toBe(`plugin "spin" apply did not return within ${DEADLINE_MS} ms and blocked its worker thread; the thread was replaced`);
    expect(spun!.error).toMatchObject({ hook: 'apply', timedOut: true });
    expectApplied(await pool.run([good('after-apply')], plugins));
  });
});

describe('a blocked thread among several', () => {
  let pool: TickPool;
  beforeAll(async () => {
    pool = createTickPool({ minThreads: 2, maxThreads: 2, deadlineMarginMs: 300 });
    await pool.run([t('warm-1', 'spin', { spin: 'no' }), t('warm-2', 'spin', { spin: 'no' })], plugins);
  });
  afterAll(() => pool.close());

  it('leaves batches on the other thread running normally meanwhile', async () => {
    const blocked = pool.run([t('spin', 'spin')], plugins);
    await sleep(50);
    const started = Date.now();
    const others = await pool.run([t('other', 'spin', { spin: 'no' })], plugins);
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS / 2);
    expectApplied(others);
    expect((await blocked)[0]!.reasons[0]!.code).toBe('PLUGIN_TIMEOUT');
  });
});

describe('a plugin that allocates without bound', () => {
  let pool: TickPool;
  beforeAll(async () => {
    pool = createTickPool({ minThreads: 1, maxThreads: 1, memoryLimitMb: 64 });
    await pool.run([good('warm')], plugins);
  });
  afterAll(() => pool.close());

  it('runs its thread out of memory: its ticks fail with the limit named, the others run again, the pool recovers', async () => {
    const [hog, neighbour] = await pool.run([t('hog', 'hog'), good('neighbour')], plugins);
    expect(hog!.reasons[0]).toEqual({
      code: 'PLUGIN_ERROR',
      message: 'worker thread ran out of memory (limit 64 MB) while plugin "hog" fetch was running; the thread was replaced',
    });
    expect(hog!.error).toMatchObject({ plugin: 'hog', hook: 'fetch', timedOut: false });
    expectApplied([neighbour!]);
    expectApplied(await pool.run([good('after-1'), good('after-2')], plugins));
  }, 30_000);
});

describe('plugins that misbehave without taking the thread down', () => {
  let pool: TickPool;
  beforeAll(() => {
    // One thread: every tick of a run shares one batch with the well-behaved ones.
    pool = createTickPool({ minThreads: 1, maxThreads: 1 });
  });
  afterAll(() => pool.close());

  it('malformed observed state is rejected with the first problem', async () => {
    const results = await pool.run(
      [t('status', 'malformed', { shape: 'status' }), good('ok'), t('nothing', 'malformed', { shape: 'nothing' }), t('replicas', 'malformed', { shape: 'replicas' })],
      plugins,
    );
    const [status, ok, nothing, replicas] = results;
    expect(status!.reasons[0]).toEqual({
      code: 'PLUGIN_ERROR',
      message: 'plugin "malformed" fetch returned malformed state: objects[0].status must be one of PENDING, SUCCEEDED, FAILED (got "RUNNING")',
    });
    expect(status!).toMatchObject({ applied: false, converged: false, error: { plugin: 'malformed', hook: 'fetch' } });
    expect(status!.observed).toBeUndefined();
    expect(nothing!.error!.message).toBe('plugin "malformed" fetch returned malformed state: state must be an object (got undefined)');
    expect(replicas!.error!.message).toBe('plugin "malformed" fetch returned malformed state: objects[0].versions[0].replicas must be a non-negative integer (got "2")');
    expectApplied([ok!]);
  });

  it('a plugin that fails to load never stops the others in its batch', async () => {
    const [broken, ok1, notPlugin, ok2] = await pool.run([t('broken', 'throws'), good('ok1'), t('nodefault', 'nodefault'), good('ok2')], plugins);
    expect(broken!.reasons[0]).toEqual({ code: 'PLUGIN_UNAVAILABLE', message: 'plugin "throws" failed to load: cannot find libfoo.so' });
    expect(broken!.error).toMatchObject({ plugin: 'throws', hook: 'load', terminal: false });
    expect(notPlugin!.reasons[0]!.code).toBe('PLUGIN_UNAVAILABLE');
    expect(notPlugin!.error!.message).toMatch(/^plugin "nodefault" is not a runtime plugin: /);
    expectApplied([ok1!, ok2!]);
  });
});
