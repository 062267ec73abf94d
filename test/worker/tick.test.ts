import { describe, expect, it } from 'vitest';
import { definePluginRuntime, TerminalError, type ApplyContext, type FetchContext, type ObservedState, type RuntimePlugin } from '@driftless/plugin-sdk';
import { runTick } from '../../worker/tick.js';
import { obj, state, tick, v } from './fixtures.js';

function plugin(hooks: {
  fetch?: (ctx: FetchContext) => Promise<unknown>;
  apply?: (ctx: ApplyContext) => Promise<unknown>;
}): RuntimePlugin & { applied: string[] } {
  const applied: string[] = [];
  const p = definePluginRuntime({
    name: 'inline',
    version: '0.0.0',
    apiVersion: 1,
    configSchema: {},
    specSchema: {},
    fetch: (hooks.fetch ?? (async () => state())) as (ctx: FetchContext) => Promise<ObservedState>,
    apply: async (ctx) => {
      applied.push(ctx.target.version);
      return (await hooks.apply?.(ctx)) as void;
    },
  });
  return Object.assign({ ...p }, { applied });
}

const fast = { fetchMs: 50, applyMs: 50 };

describe('runTick', () => {
  it('applies when nothing runs, and reports APPLYING with the plugin message', async () => {
    const p = plugin({ apply: async () => ({ message: 'started 2 replicas', recheckAfterMs: 500 }) });
    const r = await runTick(tick(), p);
    expect(p.applied).toEqual(['rel-def']);
    expect(r).toMatchObject({ instanceId: 'shop/staging/web', applied: true, converged: false, applyMessage: 'started 2 replicas', recheckAfterMs: 500 });
    expect(r.reasons.map((x) => x.code)).toEqual(['APPLYING', 'VERSION_MISMATCH']);
    expect(r.reasons[0]!.message).toBe('applying rel-def: started 2 replicas');
    expect(r.observed).toEqual({ objects: [] });
    expect(r.error).toBeUndefined();
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('issue 17: an apply that reports the target running converges in the same tick (one fetch, one apply)', async () => {
    let fetches = 0;
    const p = plugin({
      fetch: async () => (fetches++, state()),
      apply: async () => ({ message: 'started', observed: state(obj('web', [v('rel-def')])) }),
    });
    const r = await runTick(tick(), p);
    expect(fetches).toBe(1);
    expect(p.applied).toEqual(['rel-def']);
    expect(r).toMatchObject({ applied: true, converged: true, reasons: [], unhealthy: false, applyMessage: 'started' });
    expect(r.observed).toEqual(state(obj('web', [v('rel-def')])));
    // What the fetch before the apply saw stays with the result (the engine's crash bookkeeping counts it).
    expect(r.beforeApply?.observed).toEqual({ objects: [] });
    expect(r.beforeApply?.reasons.map((x) => x.code)).toEqual(['VERSION_MISMATCH']);
  });

  it('issue 17: an apply report that is not the target, or malformed, leaves the tick to a later confirming fetch', async () => {
    for (const observed of [state(obj('web', [v('rel-old')])), state(obj('web', [v('rel-def')], { status: 'PENDING' })), { objects: 'nope' }]) {
      const p = plugin({ apply: async () => ({ observed }) });
      const r = await runTick(tick(), p);
      expect(r).toMatchObject({ applied: true, converged: false });
      expect(r.beforeApply).toBeUndefined();
      expect(r.observed).toEqual({ objects: [] });
      expect(r.reasons[0]!.code).toBe('APPLYING');
    }
  });

  it('a converged instance gets no apply and no reasons', async () => {
    const p = plugin({ fetch: async () => state(obj('web', [v('rel-def')])) });
    const r = await runTick(tick(), p);
    expect(r).toMatchObject({ converged: true, applied: false, reasons: [] });
    expect(p.applied).toEqual([]);
  });

  it('observe mode (paused) fetches and reports but never applies', async () => {
    const p = plugin({ fetch: async () => state(obj('web', [v('rel-abc')])) });
    const r = await runTick(tick({ mode: 'observe' }), p);
    expect(p.applied).toEqual([]);
    expect(r).toMatchObject({ applied: false, converged: false });
    expect(r.reasons.map((x) => x.code)).toEqual(['VERSION_MISMATCH']);
  });

  it('without a target it never applies', async () => {
    const p = plugin({});
    const r = await runTick(tick({ target: undefined }), p);
    expect(p.applied).toEqual([]);
    expect(r.reasons.map((x) => x.code)).toEqual(['NO_RELEASE']);
  });

  it('a throwing fetch becomes FETCH_FAILED naming plugin and hook', async () => {
    const p = plugin({ fetch: async () => { throw new Error('connection refused'); } });
    const r = await runTick(tick(), p);
    expect(r.error).toEqual({ plugin: 'fake', hook: 'fetch', message: 'plugin "fake" fetch: connection refused', terminal: false, timedOut: false });
    expect(r.reasons).toEqual([{ code: 'FETCH_FAILED', message: 'plugin "fake" fetch: connection refused' }]);
    expect(r.observed).toBeUndefined();
    expect(p.applied).toEqual([]);
  });

  it('a synchronous throw is caught too', async () => {
    const p = plugin({ fetch: (() => { throw new Error('boom'); }) as never });
    const r = await runTick(tick(), p);
    expect(r.error?.message).toBe('plugin "fake" fetch: boom');
  });

  it('a throwing apply becomes APPLY_FAILED and keeps the observed state', async () => {
    const p = plugin({ apply: async () => { throw new Error('disk full'); } });
    const r = await runTick(tick(), p);
    expect(r.error).toMatchObject({ hook: 'apply', message: 'plugin "fake" apply: disk full', terminal: false, timedOut: false });
    expect(r.reasons.map((x) => x.code)).toEqual(['APPLY_FAILED', 'VERSION_MISMATCH']);
    expect(r.applied).toBe(false);
    expect(r.observed).toEqual({ objects: [] });
  });

  it('a TerminalError is marked terminal', async () => {
    const p = plugin({ apply: async () => { throw new TerminalError('image missing'); } });
    const r = await runTick(tick(), p);
    expect(r.error).toMatchObject({ hook: 'apply', terminal: true, message: 'plugin "fake" apply: image missing' });
  });

  it('a hung fetch times out without waiting for the plugin, and its signal aborts', async () => {
    let signal: AbortSignal | undefined;
    const p = plugin({ fetch: (ctx) => { signal = ctx.signal; return new Promise(() => {}); } });
    const started = Date.now();
    const r = await runTick(tick({ timeouts: fast }), p);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r.error).toEqual({ plugin: 'fake', hook: 'fetch', message: 'plugin "fake" fetch timed out after 50 ms', terminal: false, timedOut: true });
    expect(r.reasons.map((x) => x.code)).toEqual(['PLUGIN_TIMEOUT']);
    expect(signal?.aborted).toBe(true);
  });

  it('a hung apply times out as PLUGIN_TIMEOUT on apply', async () => {
    const p = plugin({ apply: () => new Promise(() => {}) });
    const r = await runTick(tick({ timeouts: fast }), p);
    expect(r.error).toMatchObject({ hook: 'apply', timedOut: true, message: 'plugin "fake" apply timed out after 50 ms' });
    expect(r.reasons[0]!.code).toBe('PLUGIN_TIMEOUT');
  });

  it.each([
    ['null', null, 'state must be an object (got null)'],
    ['no objects', {}, 'objects must be an array (got undefined)'],
    ['bad status', { objects: [{ name: 'web', status: 'RUNNING', versions: [] }] }, 'objects[0].status must be one of PENDING, SUCCEEDED, FAILED (got "RUNNING")'],
    ['bad replicas', { objects: [{ name: 'web', status: 'SUCCEEDED', versions: [{ version: 'a', replicas: -1, availableReplicas: 0, active: true, drifted: false }] }] }, 'objects[0].versions[0].replicas must be a non-negative integer (got -1)'],
    ['missing drifted', { objects: [{ name: 'web', status: 'SUCCEEDED', versions: [{ version: 'a', replicas: 1, availableReplicas: 1, active: true }] }] }, 'objects[0].versions[0].drifted must be a boolean (got undefined)'],
    ['a string', 'ok', 'state must be an object (got "ok")'],
  ])('garbage from fetch (%s) becomes PLUGIN_ERROR', async (_name, garbage, problem) => {
    const p = plugin({ fetch: async () => garbage });
    const r = await runTick(tick(), p);
    expect(r.error).toMatchObject({ hook: 'fetch', terminal: false, timedOut: false });
    expect(r.reasons).toEqual([{ code: 'PLUGIN_ERROR', message: `plugin "fake" fetch returned malformed state: ${problem}` }]);
    expect(p.applied).toEqual([]);
  });

  it('strips fields outside the contract from the observed state', async () => {
    const p = plugin({ fetch: async () => ({ objects: [{ ...obj('web', [{ ...v('rel-def'), secret: 'x' } as never]), handle: {} }], extra: 1 }) });
    const r = await runTick(tick(), p);
    expect(r.observed).toEqual(state(obj('web', [v('rel-def')])));
  });

  it('collects plugin log lines, capped, and never leaks the runtime config', async () => {
    const p = plugin({
      fetch: async (ctx) => {
        for (let i = 0; i < 50; i++) ctx.logger.info(`line ${i}`, { i });
        return state();
      },
      apply: async (ctx) => { throw new Error(`refused (config has ${Object.keys(ctx.config).length} keys)`); },
    });
    const r = await runTick(tick({ runtimeConfig: { token: 's3cr3t-value' } }), p);
    expect(r.logs).toHaveLength(21);
    expect(r.logs![0]).toBe('info line 0 {"i":0}');
    expect(r.logs![20]).toBe('... 30 more line(s) dropped');
    expect(JSON.stringify(r)).not.toContain('s3cr3t-value');
  });

  it('an apply result that is not an object is tolerated', async () => {
    const p = plugin({ apply: async () => 42 });
    const r = await runTick(tick(), p);
    expect(r).toMatchObject({ applied: true });
    expect(r.applyMessage).toBeUndefined();
  });
});
