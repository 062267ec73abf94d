/**
 * The tick pool end to end: real piscina worker threads (2) running the fake runtime, steered from
 * this (main) thread through the fake's control API.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// Relative: vitest's SSR resolver does not apply the 'source' condition (see the fake's tests).
import { control } from '../../plugins/runtime-fake/src/index.js';
import { PluginHost } from '../../server/plugin-host/index.js';
import { createTickPool, type TickPool } from '../../worker/pool.js';
import type { TickInput } from '../../worker/types.js';
import { tick } from './fixtures.js';

const plugins = {
  fake: fileURLToPath(new URL('../../plugins/runtime-fake/src/index.ts', import.meta.url)),
  missing: '/nonexistent/driftless-plugin/index.js',
};

function ticks(n: number, over: Partial<TickInput> = {}): TickInput[] {
  return Array.from({ length: n }, (_, i) => tick({ instanceId: `shop/ch${i}/web`, ...over }));
}

let pool: TickPool;

beforeAll(() => {
  pool = createTickPool({ minThreads: 2, maxThreads: 2 });
});
afterAll(async () => {
  await pool.close();
});
beforeEach(async () => {
  await control.reset();
});

describe('tick pool', () => {
  it('applies, then reports converged, across two threads', async () => {
    const first = await pool.run(ticks(40), plugins);
    expect(first).toHaveLength(40);
    expect(first.map((r) => r.instanceId)).toEqual(ticks(40).map((t) => t.instanceId));
    expect(first.every((r) => r.applied && !r.error)).toBe(true);

    // The main thread's replica hears about worker applies asynchronously.
    await control.waitFor(() => control.instances().length === 40, 2_000);
    expect(control.state('shop/ch7/web')).toMatchObject({ version: 'rel-def', replicas: 2, status: 'SUCCEEDED' });
    expect(new Set(control.applyCalls().map((c) => c.instanceId)).size).toBe(40);

    const second = await pool.run(ticks(40), plugins);
    expect(second.every((r) => r.converged && !r.applied && r.reasons.length === 0)).toBe(true);
  });

  it('a hung instance times out without stalling the others in its batch', async () => {
    await control.hangFetch('shop/ch3/web');
    const batch = ticks(10, { timeouts: { fetchMs: 400, applyMs: 400 } });
    const started = Date.now();
    const results = await pool.run(batch, plugins);
    expect(Date.now() - started).toBeLessThan(2_000);
    const hung = results.find((r) => r.instanceId === 'shop/ch3/web')!;
    expect(hung.error).toMatchObject({ hook: 'fetch', timedOut: true, message: 'plugin "fake" fetch timed out after 400 ms' });
    expect(hung.reasons[0]!.code).toBe('PLUGIN_TIMEOUT');
    for (const r of results.filter((x) => x !== hung)) {
      expect(r.applied).toBe(true);
      expect(r.durationMs).toBeLessThan(300);
    }
  });

  it('streams results: the others of a batch are handed over while a hung instance still waits, each once', async () => {
    await control.hangFetch('shop/ch3/web');
    const batch = ticks(10, { timeouts: { fetchMs: 1_500, applyMs: 400 } });
    const seen: string[] = [];
    let othersDone: number | undefined;
    const started = Date.now();
    const results = await pool.run(batch, plugins, (r) => {
      seen.push(r.instanceId);
      if (seen.length === 9) othersDone = Date.now();
    });
    const finished = Date.now();
    // The nine others arrived before the hung one's timeout, not with it.
    expect(seen.slice(0, 9)).not.toContain('shop/ch3/web');
    expect(seen.at(-1)).toBe('shop/ch3/web');
    expect(othersDone! - started).toBeLessThan(1_500);
    expect(finished - started).toBeGreaterThanOrEqual(1_500);
    expect([...seen].sort()).toEqual(batch.map((t) => t.instanceId).sort());
    // The returned array is the same results, in the order of the ticks.
    expect(results.map((r) => r.instanceId)).toEqual(batch.map((t) => t.instanceId));
    expect(results.find((r) => r.instanceId === 'shop/ch3/web')!.error).toMatchObject({ hook: 'fetch', timedOut: true });
  });

  it('a fault set in the main thread is in force in the workers for the next tick', async () => {
    await control.failApply({ channel: 'ch1' }, { terminal: true, message: 'image missing' });
    const results = await pool.run(ticks(4), plugins);
    const failed = results.find((r) => r.instanceId === 'shop/ch1/web')!;
    expect(failed.error).toEqual({ plugin: 'fake', hook: 'apply', message: 'plugin "fake" apply: image missing', terminal: true, timedOut: false });
    expect(failed.reasons[0]!.code).toBe('APPLY_FAILED');
    expect(results.filter((r) => r.applied)).toHaveLength(3);
  });

  it('observe mode never applies', async () => {
    const results = await pool.run(ticks(6, { mode: 'observe' }), plugins);
    expect(results.every((r) => !r.applied && r.reasons[0]?.code === 'VERSION_MISMATCH')).toBe(true);
    await control.synced();
    expect(control.applyCalls()).toEqual([]);
  });

  it('drift injected from the main thread is seen and repaired by the workers', async () => {
    await pool.run(ticks(2), plugins);
    await control.waitFor(() => control.instances().length === 2, 2_000);
    await control.injectDrift('shop/ch0/web');
    const [drifted, clean] = await pool.run(ticks(2), plugins);
    // Repaired and confirmed in the same tick (the fake's apply reports what runs; issue 17).
    expect(drifted).toMatchObject({ applied: true, converged: true });
    expect(drifted!.beforeApply!.reasons.map((r) => r.code)).toEqual(['DRIFT_DETECTED']);
    expect(clean!.converged).toBe(true);
  });

  it('an unloadable or unknown plugin fails only its own ticks', async () => {
    const mixed = [...ticks(2), tick({ instanceId: 'shop/x/web', plugin: 'missing' }), tick({ instanceId: 'shop/y/web', plugin: 'nope' })];
    const results = await pool.run(mixed, plugins);
    expect(results.slice(0, 2).every((r) => r.applied)).toBe(true);
    expect(results[2]!.error).toMatchObject({ plugin: 'missing', hook: 'load' });
    expect(results[2]!.reasons[0]!.code).toBe('PLUGIN_UNAVAILABLE');
    expect(results[2]!.error!.message).toMatch(/^plugin "missing" failed to load: /);
    expect(results[3]!.error!.message).toBe('no runtime plugin named "nope" is loaded (loaded: fake, missing)');
  });

  it('splits large runs into batches of at most maxBatch', async () => {
    const small = createTickPool({ minThreads: 1, maxThreads: 2, maxBatch: 7 });
    try {
      const results = await small.run(ticks(50, { mode: 'observe' }), plugins);
      expect(results.map((r) => r.instanceId)).toEqual(ticks(50).map((t) => t.instanceId));
    } finally {
      await small.close();
    }
  });

  it('runs plugins from the paths the plugin host reports', async () => {
    const host = await PluginHost.discover({ roots: [fileURLToPath(new URL('../..', import.meta.url))], testPlugins: true });
    const results = await pool.run(ticks(3), host.modulePaths());
    expect(results.every((r) => r.applied && !r.error)).toBe(true);
  });

  it('a plugin that kills its thread fails only its own batch, and the pool recovers', async () => {
    const exits = fileURLToPath(new URL('../fixtures/plugins/_worker/exits.js', import.meta.url));
    const [dead] = await pool.run([tick({ instanceId: 'shop/dead/web', plugin: 'exits' })], { ...plugins, exits });
    expect(dead!.reasons[0]!.code).toBe('PLUGIN_ERROR');
    expect(dead!.error!.message).toBe('worker thread failed: worker exited with code: 3 while plugin "exits" fetch was running; the thread was replaced');
    const after = await pool.run(ticks(4), plugins);
    expect(after.every((r) => r.applied)).toBe(true);
  });

  it('runs an empty list without touching the threads', async () => {
    expect(await pool.run([], plugins)).toEqual([]);
  });
});
