import { beforeEach, describe, expect, it } from 'vitest';
import { TerminalError, type InstanceIdentity, type TargetState } from '@driftless/plugin-sdk';
// Relative, not '@driftless/runtime-fake': vitest's SSR resolver ignores the 'source' condition
// (resolve.conditions in vitest.config.ts does not reach it), and this package has no dist yet.
import fake, { control } from '../src/index.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

function instance(instanceId = 'shop/staging/web', service = 'web'): InstanceIdentity {
  const [application = 'shop', channel = 'staging'] = instanceId.split('/');
  return { instanceId, application, channel, service, runtime: 'fake' };
}

function target(version: string, spec: Record<string, unknown> = { replicas: 2 }): TargetState {
  return { releaseId: version, version, params: {}, spec, env: {}, digest: version };
}

const ctx = (id = 'shop/staging/web', config: Record<string, unknown> = {}) => ({
  config,
  instance: instance(id),
  signal: new AbortController().signal,
  logger,
});

const fetch = (id?: string, config?: Record<string, unknown>) => fake.fetch(ctx(id, config));
const apply = (version: string, id?: string, spec?: Record<string, unknown>, config?: Record<string, unknown>) =>
  fake.apply({ ...ctx(id, config), target: target(version, spec) });

beforeEach(async () => {
  await control.reset();
});

describe('runtime-fake', () => {
  it('is a branded apiVersion 1 plugin named "fake"', () => {
    expect(fake.name).toBe('fake');
    expect(fake.apiVersion).toBe(1);
    expect(fake.__driftlessRuntimePlugin).toBe(1);
  });

  it('reports nothing for an unknown instance', async () => {
    expect(await fetch()).toEqual({ objects: [] });
  });

  it('apply runs the target; fetch reports it', async () => {
    await apply('rel-1', undefined, { replicas: 3 });
    expect(await fetch()).toEqual({
      objects: [{ name: 'web', status: 'SUCCEEDED', versions: [{ version: 'rel-1', replicas: 3, availableReplicas: 3, active: true, drifted: false }] }],
    });
    expect(control.state('shop/staging/web')).toMatchObject({ version: 'rel-1', replicas: 3, status: 'SUCCEEDED' });
  });

  it('replicas default to 1', async () => {
    await apply('rel-1', undefined, {});
    expect(control.state('shop/staging/web')?.replicas).toBe(1);
  });

  it('fetch does not change anything', async () => {
    await apply('rel-1');
    const before = control.state('shop/staging/web');
    await fetch();
    await fake.fetch({ ...ctx(), target: target('rel-2') });
    expect(control.state('shop/staging/web')).toEqual(before);
    expect(await fetch('shop/prod/web')).toEqual({ objects: [] });
    expect(control.instances()).toHaveLength(1);
  });

  it('apply is idempotent', async () => {
    await apply('rel-1');
    const first = await fetch();
    const again = await apply('rel-1');
    expect(await fetch()).toEqual(first);
    expect(again).toEqual({ message: 'rel-1 already running', observed: first });
    expect(control.applyCalls().map((c) => c.version)).toEqual(['rel-1', 'rel-1']);
  });

  it('apply reports what runs afterwards, exactly what a fetch reports then (issue 17: apply and confirm in one tick)', async () => {
    const applied = await apply('rel-1', undefined, { replicas: 2 });
    expect(applied).toMatchObject({ message: 'running rel-1 with 2 replicas' });
    expect((applied as { observed?: unknown }).observed).toEqual(await fetch());
    await control.unhealthyAfterApply({ version: 'rel-2' });
    const broken = await apply('rel-2');
    expect((broken as { observed?: unknown }).observed).toEqual(await fetch());
    expect(await fetch()).toMatchObject({ objects: [{ status: 'FAILED' }] });
  });

  it('records apply calls with timestamps', async () => {
    const before = Date.now();
    await apply('rel-1', 'a/b/web');
    await apply('rel-2', 'a/c/web');
    const calls = control.applyCalls();
    expect(calls.map((c) => [c.instanceId, c.version])).toEqual([['a/b/web', 'rel-1'], ['a/c/web', 'rel-2']]);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(before);
  });

  it('namespaces keep runtimes apart', async () => {
    await apply('rel-1', undefined, undefined, { namespace: 'east' });
    expect(await fetch(undefined, { namespace: 'west' })).toEqual({ objects: [] });
    expect((await fetch(undefined, { namespace: 'east' })).objects).toHaveLength(1);
    expect(control.state('shop/staging/web', 'east')?.version).toBe('rel-1');
  });

  it('failApply fails the next N applies per instance, then lets them through', async () => {
    await control.failApply({ channel: 'staging' }, { times: 2 });
    await expect(apply('rel-1')).rejects.toThrow('apply failed (injected)');
    await expect(apply('rel-1')).rejects.toThrow('apply failed (injected)');
    await expect(apply('rel-1')).resolves.toBeDefined();
    await expect(apply('rel-1', 'shop/prod/web')).resolves.toBeDefined();
    expect(control.state('shop/staging/web')?.version).toBe('rel-1');
  });

  it('failApply can be terminal and matches by version', async () => {
    await control.failApply({ version: 'rel-bad' }, { terminal: true });
    await expect(apply('rel-bad')).rejects.toBeInstanceOf(TerminalError);
    await expect(apply('rel-good')).resolves.toBeDefined();
  });

  it('unhealthyAfterApply makes the release FAILED with nothing available', async () => {
    await control.unhealthyAfterApply({ version: 'rel-2' });
    await apply('rel-2');
    const { objects } = await fetch();
    expect(objects[0]).toMatchObject({ status: 'FAILED', versions: [{ version: 'rel-2', availableReplicas: 0 }] });
    await apply('rel-1');
    expect((await fetch()).objects[0]).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'rel-1', availableReplicas: 2 }] });
  });

  it('injectDrift marks what runs as drifted until the next apply', async () => {
    await apply('rel-1');
    expect(await control.injectDrift('shop/staging/web')).toBe(1);
    const drifted = await fetch();
    expect(drifted.objects[0]).toMatchObject({ versions: [{ drifted: true }], message: 'edited by hand (injected drift)' });
    await apply('rel-1');
    expect((await fetch()).objects[0]!.versions[0]!.drifted).toBe(false);
  });

  it('hangFetch never returns, even when aborted', async () => {
    await control.hangFetch({ channel: 'staging', service: 'web' });
    const controller = new AbortController();
    const pending = fake.fetch({ ...ctx(), signal: controller.signal });
    controller.abort();
    const outcome = await Promise.race([pending.then(() => 'returned'), new Promise((r) => setTimeout(() => r('hung'), 50))]);
    expect(outcome).toBe('hung');
    await expect(fetch('shop/prod/web')).resolves.toEqual({ objects: [] });
  });

  it('throwOn throws on the named hook only', async () => {
    await control.throwOn('shop/staging/web', 'fetch', { message: 'backend unreachable' });
    await expect(fetch()).rejects.toThrow('backend unreachable');
    await expect(apply('rel-1')).resolves.toBeDefined();
  });

  it('clearFaults removes every fault, or one by id', async () => {
    const a = await control.throwOn('shop/staging/web', 'fetch');
    await control.throwOn('shop/staging/web', 'apply');
    await control.clearFaults(a);
    await expect(fetch()).resolves.toBeDefined();
    await expect(apply('rel-1')).rejects.toThrow();
    await control.clearFaults();
    await expect(apply('rel-1')).resolves.toBeDefined();
  });

  it('setLatency delays calls and honours the abort signal', async () => {
    await control.setLatency(40);
    const started = Date.now();
    await fetch();
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    const controller = new AbortController();
    const pending = fake.fetch({ ...ctx(), signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await control.setLatency(undefined);
  });

  it('config and spec latency apply when no override is set', async () => {
    const started = Date.now();
    await apply('rel-1', undefined, { replicas: 1, latencyMs: 30 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const t2 = Date.now();
    await fetch(undefined, { latencyMs: 30 });
    expect(Date.now() - t2).toBeGreaterThanOrEqual(25);
  });

  it('reset forgets instances, faults and apply calls', async () => {
    await apply('rel-1');
    await control.throwOn('x', 'fetch');
    await control.reset();
    expect(control.instances()).toEqual([]);
    expect(control.activeFaults()).toEqual([]);
    expect(control.applyCalls()).toEqual([]);
  });

  it('waitFor resolves when the predicate holds and rejects after the timeout', async () => {
    setTimeout(() => void apply('rel-1'), 20);
    await control.waitFor(() => control.state('shop/staging/web')?.version === 'rel-1', 1_000);
    await expect(control.waitFor(() => false, 30)).rejects.toThrow('condition not met within 30 ms');
  });
});
