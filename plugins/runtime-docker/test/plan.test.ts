// The rollout decision, pure: tables of replicas in, one step out.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../src/assess.js';
import type { Replica } from '../src/classify.js';
import { cleanup, freeSlots, rollout } from '../src/plan.js';
import type { ContainerView } from '../src/view.js';

let created = 0;
function replica(version: string, slot: number, condition: Condition['kind'] = 'ready', role: Replica['role'] = version === 'v2' ? 'current' : 'old', restarts = 0): Replica {
  const view = { id: `${version}-${slot}-${++created}`, name: `c-${slot}`, managed: true, createdAt: created } as ContainerView;
  const c: Condition = condition === 'ready' ? { kind: 'ready' } : { kind: condition, why: condition };
  return { view, condition: c, version, role, drift: [], slot, restarts };
}

const startFirst = (replicas: number, maxSurge = 1, maxUnavailable = 0) => ({ replicas, update: { order: 'start-first' as const, maxSurge, maxUnavailable } });
const stopFirst = (replicas: number, maxUnavailable = 1) => ({ replicas, update: { order: 'stop-first' as const, maxSurge: 0, maxUnavailable } });
const v2 = { version: 'v2' };
const ids = (rs: Replica[]) => rs.map((r) => r.view.id);

describe('rollout', () => {
  it('from nothing, creates every replica at once in slots 0..n-1', () => {
    expect(rollout([], startFirst(3), v2)).toMatchObject({ kind: 'create', count: 3, slots: [0, 1, 2], thenRemove: [] });
  });

  it('start-first: one new replica in the free slot, then one old one goes once it serves', () => {
    const old = [replica('v1', 0), replica('v1', 1)];
    const step = rollout(old, startFirst(2), v2);
    expect(step).toMatchObject({ kind: 'create', count: 1, slots: [2] });
    expect(step.kind === 'create' && step.thenRemove).toHaveLength(1);
    // Next step: one new serving, one old left: replace it the same way.
    const mid = [replica('v1', 1), replica('v2', 2)];
    expect(rollout(mid, startFirst(2), v2)).toMatchObject({ kind: 'create', count: 1, slots: [0] });
  });

  it('a larger surge replaces more at once; an old replica that serves nothing goes first', () => {
    const old = [replica('v1', 0), replica('v1', 1, 'starting'), replica('v1', 2)];
    const step = rollout(old, startFirst(3, 2), v2);
    expect(step).toMatchObject({ kind: 'create', count: 2, slots: [3, 4] });
    expect(step.kind === 'create' && ids(step.thenRemove)).toEqual([old[1]!.view.id, old[0]!.view.id]);
  });

  it('stop-first: removes an old replica first and reuses its slot, within maxUnavailable', () => {
    const old = [replica('v1', 0), replica('v1', 1)];
    const step = rollout(old, stopFirst(2), v2);
    expect(step).toMatchObject({ kind: 'replace', count: 1, slots: [0] });
    expect(step.kind === 'replace' && ids(step.remove)).toEqual([old[0]!.view.id]);
    // An old replica that serves nothing is replaced for free; when a new one is out of service
    // instead, maxUnavailable 1 is used up and the serving old one stays.
    const held = rollout([replica('v1', 0), replica('v1', 1, 'restarting')], stopFirst(2), v2);
    expect(held).toMatchObject({ kind: 'replace', count: 1, slots: [1] });
    expect(rollout([replica('v1', 0), replica('v2', 1, 'restarting')], stopFirst(2, 1), v2)).toMatchObject({
      kind: 'hold',
      why: '1 old container must keep serving: 1 of 2 serve and maxUnavailable is 1',
    });
  });

  it('keeps old replicas while a new one restarts under its restart policy', () => {
    const state = [replica('v1', 0), replica('v1', 1), replica('v2', 2), replica('v2', 3, 'restarting')];
    expect(rollout(state, startFirst(2, 2), v2)).toEqual({ kind: 'hold', why: 'old containers keep serving: 1 replica of v2 is restarting' });
  });

  it('removes old replicas once the target serves, drifted ones too, and scales down', () => {
    const drifted = replica('v2', 1, 'ready', 'drifted');
    const step = rollout([replica('v2', 0), replica('v2', 2), drifted], startFirst(2), v2);
    expect(step).toMatchObject({ kind: 'remove', why: '2 of 2 replicas of v2 serve' });
    expect(step.kind === 'remove' && ids(step.remove)).toEqual([drifted.view.id]);
    const three = [replica('v2', 0), replica('v2', 1), replica('v2', 2)];
    const down = rollout(three, startFirst(1), v2);
    expect(down.kind === 'remove' && down.remove.map((r) => r.slot)).toEqual([2, 1]);
    expect(rollout([replica('v2', 0), replica('v2', 1)], startFirst(2), v2)).toEqual({ kind: 'none', why: '2 of 2 replicas of v2 available' });
  });
});

describe('cleanup', () => {
  it('removes what serves nothing; the target\'s crashed replicas carry their restarts (+1) to their replacements', () => {
    const crashed = replica('v2', 0, 'failed', 'drifted', 2);
    const oldRestarting = replica('v1', 1, 'restarting');
    const newRestarting = replica('v2', 2, 'restarting', 'current', 5);
    const result = cleanup([crashed, oldRestarting, newRestarting, replica('v1', 3)], v2);
    expect(ids(result.remove)).toEqual([crashed.view.id, oldRestarting.view.id]);
    expect(result.carry).toEqual([3]);
  });
});

describe('freeSlots', () => {
  it('are the lowest slots no container holds, counting those about to go as free', () => {
    const rs = [replica('v1', 0), replica('v1', 2)];
    expect(freeSlots(rs, 2)).toEqual([1, 3]);
    expect(freeSlots(rs, 1, [rs[0]!])).toEqual([0]);
  });
});
