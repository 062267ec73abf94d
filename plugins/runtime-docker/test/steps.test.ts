// Progressive rollouts on containers (issue 16), the pure parts: the rollout decision at a step
// (start-first and stop-first) and what fetch reports once a step is reached.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../src/assess.js';
import type { Replica } from '../src/classify.js';
import plugin from '../src/index.js';
import { observe } from '../src/observe.js';
import { rollout } from '../src/plan.js';
import type { ContainerView } from '../src/view.js';

let created = 0;
function replica(version: string, slot: number, condition: Condition['kind'] = 'ready'): Replica {
  const view = { id: `${version}-${slot}-${++created}`, name: `c-${slot}`, managed: true, createdAt: created } as ContainerView;
  const c: Condition = condition === 'ready' ? { kind: 'ready' } : { kind: condition, why: condition };
  return { view, condition: c, version, role: version === 'v2' ? 'current' : 'old', drift: [], slot, restarts: 0 };
}
const startFirst = (replicas: number, maxSurge = 1) => ({ replicas, update: { order: 'start-first' as const, maxSurge, maxUnavailable: 0 } });
const stopFirst = (replicas: number, maxUnavailable = 1) => ({ replicas, update: { order: 'stop-first' as const, maxSurge: 0, maxUnavailable } });
const v2 = { version: 'v2' };
const fleet = (versions: string[]) => versions.map((v, slot) => replica(v, slot));

describe('docker runtime: rollout steps', () => {
  it('declares capabilities.rolloutSteps', () => {
    expect(plugin.capabilities?.rolloutSteps).toBe(true);
  });

  it('start-first: a step surges one new replica, then retires one old one, and stops at the step', () => {
    const step1 = rollout(fleet(['v1', 'v1', 'v1', 'v1']), startFirst(4), v2, { replicas: 1 });
    expect(step1).toMatchObject({ kind: 'create', count: 1, slots: [4] });
    expect(step1.kind === 'create' && step1.thenRemove).toHaveLength(1);
    // Step 1 reached: nothing to do, however often apply is called.
    const at1 = [replica('v1', 1), replica('v1', 2), replica('v1', 3), replica('v2', 4)];
    expect(rollout(at1, startFirst(4), v2, { replicas: 1 })).toEqual({ kind: 'none', why: 'the step runs 1 of 4 replicas on v2, 3 on the release before' });
    // Step 2: one more; the last step (no `step`): the rest.
    expect(rollout(at1, startFirst(4), v2, { replicas: 2 })).toMatchObject({ kind: 'create', count: 1, slots: [0] });
    expect(rollout(at1, startFirst(4, 3), v2)).toMatchObject({ kind: 'create', count: 3 });
  });

  it('start-first: a surge leftover beyond the step is retired once the step serves', () => {
    const surged = [replica('v1', 0), replica('v1', 1), replica('v1', 2), replica('v1', 3), replica('v2', 4)];
    const step = rollout(surged, startFirst(4), v2, { replicas: 1 });
    expect(step).toMatchObject({ kind: 'remove' });
    expect(step.kind === 'remove' && step.remove).toHaveLength(1);
  });

  it('stop-first: a step stops one old replica within maxUnavailable and reuses its slot', () => {
    const step = rollout(fleet(['v1', 'v1', 'v1', 'v1']), stopFirst(4), v2, { replicas: 2 });
    expect(step).toMatchObject({ kind: 'replace', count: 1, slots: [0] });
    const mid = [replica('v2', 0), replica('v1', 1), replica('v1', 2), replica('v1', 3)];
    expect(rollout(mid, stopFirst(4), v2, { replicas: 2 })).toMatchObject({ kind: 'replace', count: 1, slots: [1] });
    expect(rollout([replica('v2', 0), replica('v2', 1), replica('v1', 2), replica('v1', 3)], stopFirst(4), v2, { replicas: 2 })).toMatchObject({ kind: 'none' });
  });

  it('a step of 0 replicas keeps everything as it is', () => {
    expect(rollout(fleet(['v1', 'v1']), startFirst(2), v2, { replicas: 0 })).toMatchObject({ kind: 'none' });
  });

  it('fetch at a step: SUCCEEDED once the step has its replicas of the target ready, next to the old ones', () => {
    const t = { version: 'v2', step: { index: 1, count: 4, replicas: 2 } };
    const reached = observe('web', [replica('v1', 2), replica('v1', 3), replica('v2', 0), replica('v2', 1)], t, 2);
    expect(reached?.object).toMatchObject({
      status: 'SUCCEEDED',
      message: 'step 2 of 4: 2 of 2 replicas on v2 available, 2 containers of the release before',
      versions: [{ version: 'v2', replicas: 2, availableReplicas: 2, active: true, drifted: false }, { version: 'v1', replicas: 2, active: true }],
    });
    const short = observe('web', [replica('v1', 1), replica('v1', 2), replica('v1', 3), replica('v2', 0, 'starting')], t, 2);
    expect(short?.object.status).toBe('PENDING');
  });
});
