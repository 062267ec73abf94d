// Progressive rollouts on a fleet (issue 16), the pure parts: which hosts a step moves, what one
// apply does at a step, and what fetch reports for the hosts a step holds back.
import { describe, expect, it } from 'vitest';
import type { TargetState } from '@driftless/plugin-sdk';
import type { HostView } from '../src/host-state.js';
import { observeHeld, observeHost } from '../src/observe.js';
import type { Host } from '../src/parse.js';
import { plan } from '../src/plan.js';
import type { ReleaseRecord } from '../src/record.js';
import { stepHosts } from '../src/step.js';
import plugin from '../src/index.js';

const host = (name: string): Host => ({ name, address: '127.0.0.1', port: 22, labels: {}, baseDir: '.driftless', env: {} });
const record = (version: string): ReleaseRecord => ({
  version,
  releaseId: version,
  digest: `d-${version}`,
  pid: 100,
  procStartTicks: 5,
  startedAt: new Date(0).toISOString(),
  releaseDir: 'r',
  healthCheck: { http: { port: 8080, path: '/healthz' }, timeoutSeconds: 10 },
  stopTimeoutSeconds: 10,
});
const on = (name: string, version: string, alive = true, healthy = true): HostView => ({ host: host(name), kind: 'deployed', record: record(version), alive, healthy });
const now = 1_000_000;
const step = (index: number, replicas: number) => ({ index, count: 4, replicas });
const target = (s?: ReturnType<typeof step>): TargetState => ({ releaseId: 'v2', version: 'v2', digest: 'd-v2', params: {}, spec: {}, env: {}, ...(s ? { step: s } : {}) });
const names = (views: HostView[]) => views.map((v) => v.host.name);

describe('ssh runtime: rollout steps', () => {
  it('declares capabilities.rolloutSteps', () => {
    expect(plugin.capabilities?.rolloutSteps).toBe(true);
  });

  it('a step moves `replicas` hosts in config order, hosts on the target first, hosts serving nothing next', () => {
    const fleet = ['a', 'b', 'c', 'd'].map((n) => on(n, 'v1'));
    expect([...stepHosts(fleet, target(), { replicas: 1 }, now)]).toEqual(['a']);
    expect([...stepHosts([on('a', 'v1'), on('b', 'v2'), on('c', 'v1'), on('d', 'v1')], target(), { replicas: 2 }, now)]).toEqual(['b', 'a']);
    const empty: HostView = { host: host('c'), kind: 'empty' };
    expect([...stepHosts([on('a', 'v1'), on('b', 'v1'), empty, on('d', 'v1')], target(), { replicas: 1 }, now)]).toEqual(['c']);
    expect(stepHosts(fleet, target(), { replicas: 0 }, now).size).toBe(0);
  });

  it('plans steps 1 → 2 → all on four hosts, one host per apply with maxUnavailable 1', () => {
    const t1 = target(step(0, 1));
    expect(names(plan(['a', 'b', 'c', 'd'].map((n) => on(n, 'v1')), t1, 1, now, t1.step).deploy)).toEqual(['a']);
    // Step 1 reached: nothing more to do, however often apply is called.
    const reached = plan([on('a', 'v2'), on('b', 'v1'), on('c', 'v1'), on('d', 'v1')], t1, 1, now, t1.step);
    expect(reached).toMatchObject({ deploy: [], await: [], remaining: 0 });
    const t2 = target(step(1, 2));
    expect(names(plan([on('a', 'v2'), on('b', 'v1'), on('c', 'v1'), on('d', 'v1')], t2, 1, now, t2.step).deploy)).toEqual(['b']);
    expect(plan([on('a', 'v2'), on('b', 'v2'), on('c', 'v1'), on('d', 'v1')], t2, 2, now, t2.step).deploy).toEqual([]);
    // The last step comes without `step`: every host.
    expect(names(plan([on('a', 'v2'), on('b', 'v2'), on('c', 'v1'), on('d', 'v1')], target(), 2, now).deploy)).toEqual(['c', 'd']);
  });

  it('a held host that is out of service still counts against maxUnavailable', () => {
    const t1 = target(step(0, 1));
    const down: HostView = { host: host('d'), kind: 'unreachable', message: 'cannot reach host' };
    const held = plan([on('a', 'v1'), on('b', 'v1'), on('c', 'v1'), down], t1, 1, now, t1.step);
    expect(held.deploy).toEqual([]);
    expect(held.held).toBe('1 host(s) wait: d is out of service and maxUnavailable is 1');
  });

  it('fetch: step hosts are measured against the target, held hosts keep what they run and are SUCCEEDED', () => {
    const t = target(step(1, 2));
    expect(observeHost(on('a', 'v2'), t, now)).toMatchObject({ status: 'SUCCEEDED' });
    expect(observeHeld(on('c', 'v1'), t, now)).toEqual({
      name: 'c',
      status: 'SUCCEEDED',
      versions: [{ version: 'v1', replicas: 1, availableReplicas: 1, active: true, drifted: false }],
      message: 'keeps v1 (pid 100): step 2 of 4 runs v2 on 2 other host(s)',
    });
    expect(observeHeld({ host: host('d'), kind: 'empty' }, t, now)).toMatchObject({ status: 'SUCCEEDED', versions: [] });
    expect(observeHeld(on('d', 'v1', false, false), t, now)).toMatchObject({ status: 'FAILED', message: 'v1 (pid 100) is not running (exited or killed)' });
  });
});
