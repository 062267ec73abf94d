import { describe, expect, it } from 'vitest';
import type { ReplicaView } from '../src/assess.js';
import { observe } from '../src/observe.js';
import { plan } from '../src/plan.js';
import type { ReplicaRecord } from '../src/records.js';

let seq = 0;
function view(slot: number, version: string, opts: { healthy?: boolean; alive?: boolean; digest?: string; port?: number } = {}): ReplicaView {
  const alive = opts.alive ?? true;
  const record: ReplicaRecord = {
    id: `replica-${slot}-${version}-${++seq}`,
    slot,
    version,
    releaseId: `rel-${version}`,
    digest: opts.digest ?? `d-${version}`,
    pid: 1000 + seq,
    pgid: 1000 + seq,
    procStartTicks: 1,
    port: opts.port ?? 4000 + seq,
    startedAt: new Date(seq * 1000).toISOString(),
    command: 'node',
    args: [],
    cwd: '/',
    healthCheck: { path: '/healthz', timeoutSeconds: 30 },
  };
  return { record, alive, healthy: alive && (opts.healthy ?? true) };
}

const target = (version: string, digest = `d-${version}`) => ({ version, digest });

describe('plan (one step per apply)', () => {
  const cases: Array<{ name: string; views: ReplicaView[]; replicas: number; basePort?: number; version?: string; digest?: string; expect: Record<string, unknown> }> = [
    { name: 'empty instance starts slot 0', views: [], replicas: 2, expect: { kind: 'start', slot: 0, stopFirst: false } },
    { name: 'converged does nothing', views: [view(0, 'v1'), view(1, 'v1')], replicas: 2, expect: { kind: 'none' } },
    { name: 'rolling update surges slot 0 first', views: [view(0, 'v1'), view(1, 'v1')], replicas: 2, version: 'v2', expect: { kind: 'start', slot: 0, stopFirst: false } },
    { name: 'then slot 1', views: [view(0, 'v2'), view(1, 'v1')], replicas: 2, version: 'v2', expect: { kind: 'start', slot: 1 } },
    { name: 'fixed ports stop before start', views: [view(0, 'v1', { port: 8100 })], replicas: 1, basePort: 8100, version: 'v2', expect: { kind: 'start', slot: 0, stopFirst: true } },
    { name: 'a starting replica is awaited, not duplicated', views: [view(0, 'v1'), view(0, 'v2', { healthy: false })], replicas: 1, version: 'v2', expect: { kind: 'await' } },
    { name: 'old replica left in a served slot is stopped', views: [view(0, 'v2'), view(0, 'v1')], replicas: 1, version: 'v2', expect: { kind: 'stop' } },
    { name: 'same version, other digest is replaced', views: [view(0, 'v1', { digest: 'old' })], replicas: 1, expect: { kind: 'start', slot: 0 } },
    { name: 'scale down stops the extra slots', views: [view(0, 'v1'), view(1, 'v1'), view(2, 'v1')], replicas: 1, expect: { kind: 'stop' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const version = c.version ?? 'v1';
      const step = plan({ views: c.views, version, digest: c.digest ?? `d-${version}`, replicas: c.replicas, basePort: c.basePort });
      expect(step).toMatchObject(c.expect);
    });
  }

  it('with a fixed port, also stops an old replica of another slot holding that port', () => {
    const holder = view(1, 'v1', { port: 8101 });
    const step = plan({ views: [view(0, 'v1', { port: 8100 }), holder], version: 'v2', digest: 'd-v2', replicas: 1, basePort: 8101 });
    expect(step).toMatchObject({ kind: 'start', slot: 0, stopFirst: true });
    expect(step.kind === 'start' && step.stale.map((r) => r.id)).toContain(holder.record.id);
  });

  it('at a rollout step, moves only the slots below the step to the target', () => {
    const four = (versions: string[]) => versions.map((ver, slot) => view(slot, ver));
    expect(plan({ views: four(['v1', 'v1', 'v1', 'v1']), version: 'v2', digest: 'd-v2', replicas: 4, stepReplicas: 1 })).toMatchObject({ kind: 'start', slot: 0 });
    expect(plan({ views: four(['v2', 'v1', 'v1', 'v1']), version: 'v2', digest: 'd-v2', replicas: 4, stepReplicas: 1 })).toMatchObject({ kind: 'none' });
    expect(plan({ views: four(['v2', 'v1', 'v1', 'v1']), version: 'v2', digest: 'd-v2', replicas: 4, stepReplicas: 2 })).toMatchObject({ kind: 'start', slot: 1 });
    expect(plan({ views: four(['v1', 'v1', 'v1', 'v1']), version: 'v2', digest: 'd-v2', replicas: 4, stepReplicas: 0 })).toMatchObject({ kind: 'none' });
  });
});

describe('observe', () => {
  const now = Date.now();
  it('converged: one active version, SUCCEEDED', () => {
    const seen = observe('web', [view(0, 'v1'), view(1, 'v1')], { ...target('v1'), releaseId: 'r', params: {}, spec: {}, env: {} }, 2, now);
    expect(seen?.object).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false }] });
  });
  it('rolling: two active versions, PENDING, target first', () => {
    const seen = observe('web', [view(0, 'v2'), view(1, 'v1')], { ...target('v2'), releaseId: 'r', params: {}, spec: {}, env: {} }, 2, now);
    expect(seen?.object.status).toBe('PENDING');
    expect(seen?.object.versions.map((v) => [v.version, v.active])).toEqual([['v2', true], ['v1', true]]);
  });
  it('dead replica: FAILED, drifted, blamed', () => {
    const dead = view(1, 'v1', { alive: false });
    const seen = observe('web', [view(0, 'v1'), dead], undefined, undefined, now);
    expect(seen?.object.status).toBe('FAILED');
    expect(seen?.object.versions[0]?.drifted).toBe(true);
    expect(seen?.blame?.id).toBe(dead.record.id);
  });
  it('at a rollout step: SUCCEEDED once the step has its replicas on the target, next to the old ones', () => {
    const t = { ...target('v2'), releaseId: 'r', params: {}, spec: {}, env: {}, step: { index: 1, count: 4, replicas: 2 } };
    const reached = observe('web', [view(0, 'v2'), view(1, 'v2'), view(2, 'v1'), view(3, 'v1')], t, 4, now);
    expect(reached?.object.status).toBe('SUCCEEDED');
    expect(reached?.object.message).toBe('step 2 of 4: 2 of 2 replica(s) on v2 available, 2 on the release before');
    const short = observe('web', [view(0, 'v2'), view(1, 'v1'), view(2, 'v1'), view(3, 'v1')], t, 4, now);
    expect(short?.object.status).toBe('PENDING');
  });
  it('scaled to zero reports the target as the one active version', () => {
    const seen = observe('web', [], { ...target('v1'), releaseId: 'r', params: {}, spec: {}, env: {} }, 0, now);
    expect(seen?.object).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'v1', replicas: 0, active: true }] });
  });
  it('nothing running and no target: no objects', () => {
    expect(observe('web', [], undefined, undefined, now)).toBeUndefined();
  });
});
