import { describe, expect, it } from 'vitest';
import type { ObservedState, TargetState } from '@driftless/plugin-sdk';
import { decide, type Decision } from '../../worker/decide.js';
import { obj, state, target, v } from './fixtures.js';

interface Case {
  name: string;
  observed: ObservedState;
  target?: TargetState;
  want: Partial<Omit<Decision, 'reasons'>> & { codes: string[]; messages?: (string | RegExp)[] };
}

const want = target('rel-def');

const cases: Case[] = [
  {
    name: 'one object on the target, all replicas up: converged',
    observed: state(obj('web', [v('rel-def')])),
    target: want,
    want: { converged: true, action: 'none', unhealthy: false, codes: [] },
  },
  {
    name: 'two objects on the target: converged',
    observed: state(obj('web', [v('rel-def')]), obj('worker', [v('rel-def', { replicas: 1, availableReplicas: 1 })])),
    target: want,
    want: { converged: true, action: 'none', codes: [] },
  },
  {
    name: 'inactive old version lingering next to the active target: converged',
    observed: state(obj('web', [v('rel-abc', { active: false, availableReplicas: 0 }), v('rel-def')])),
    target: want,
    want: { converged: true, action: 'none', codes: [] },
  },
  {
    name: 'zero replicas wanted and none available: converged',
    observed: state(obj('web', [v('rel-def', { replicas: 0, availableReplicas: 0 })])),
    target: want,
    want: { converged: true, codes: [] },
  },
  {
    name: 'nothing running yet: apply',
    observed: state(),
    target: want,
    want: { converged: false, action: 'apply', unhealthy: false, codes: ['VERSION_MISMATCH'], messages: ['nothing is running yet, want rel-def'] },
  },
  {
    name: 'old version everywhere: apply',
    observed: state(obj('web', [v('rel-abc')])),
    target: want,
    want: { converged: false, action: 'apply', codes: ['VERSION_MISMATCH'], messages: ['running rel-abc on 1 of 1 object, want rel-def'] },
  },
  {
    name: 'old version on one of two objects: apply, says how many',
    observed: state(obj('web', [v('rel-abc')]), obj('worker', [v('rel-def')])),
    target: want,
    want: { converged: false, action: 'apply', codes: ['VERSION_MISMATCH'], messages: ['running rel-abc on 1 of 2 objects, want rel-def'] },
  },
  {
    name: 'two different wrong versions: names both',
    observed: state(obj('web', [v('rel-abc')]), obj('worker', [v('rel-xyz')])),
    target: want,
    want: { action: 'apply', codes: ['VERSION_MISMATCH'], messages: ['running rel-abc on 1 of 2 objects, rel-xyz on 1 of 2 objects, want rel-def'] },
  },
  {
    name: 'object with no active version: apply',
    observed: state(obj('web', [v('rel-abc', { active: false })])),
    target: want,
    want: { action: 'apply', codes: ['VERSION_MISMATCH'], messages: ['nothing running on 1 of 1 object, want rel-def'] },
  },
  {
    name: 'wrong version on one object, nothing on another',
    observed: state(obj('web', [v('rel-abc')]), obj('worker', [])),
    target: want,
    want: { action: 'apply', codes: ['VERSION_MISMATCH'], messages: ['running rel-abc on 1 of 2 objects, nothing on 1, want rel-def'] },
  },
  {
    name: 'drifted target version: apply with which object and what message',
    observed: state(obj('web', [v('rel-def', { drifted: true })], { message: 'env VERSION edited by hand' })),
    target: want,
    want: {
      converged: false,
      action: 'apply',
      codes: ['DRIFT_DETECTED'],
      messages: ['web: rel-def drifted from what was applied: env VERSION edited by hand'],
    },
  },
  {
    name: 'drifted inactive version still counts as drift',
    observed: state(obj('web', [v('rel-abc', { active: false, drifted: true }), v('rel-def')])),
    target: want,
    want: { converged: false, action: 'apply', codes: ['DRIFT_DETECTED'] },
  },
  {
    name: 'object FAILED on the target: unhealthy, apply',
    observed: state(obj('web', [v('rel-def', { availableReplicas: 0 })], { status: 'FAILED', message: 'exit code 1' })),
    target: want,
    want: { converged: false, action: 'apply', unhealthy: true, codes: ['UNHEALTHY'], messages: ['web: failed: exit code 1'] },
  },
  {
    name: 'replicas missing on a SUCCEEDED object: unhealthy, apply again',
    observed: state(obj('web', [v('rel-def', { replicas: 3, availableReplicas: 1 })])),
    target: want,
    want: { converged: false, action: 'apply', unhealthy: true, codes: ['UNHEALTHY'], messages: ['web: 1 of 3 replicas available'] },
  },
  {
    name: 'PENDING object starting the target: progressing, apply the next step',
    observed: state(obj('web', [v('rel-def', { availableReplicas: 0 })], { status: 'PENDING' })),
    target: want,
    want: { converged: false, action: 'apply', unhealthy: false, codes: ['PROGRESSING'], messages: ['web: starting rel-def, 0 of 2 replicas available'] },
  },
  {
    name: 'PENDING object with the target not yet active: progressing',
    observed: state(obj('web', [v('rel-abc'), v('rel-def', { active: false, availableReplicas: 0 })], { status: 'PENDING' })),
    target: want,
    want: { converged: false, action: 'apply', codes: ['PROGRESSING'] },
  },
  {
    name: 'PENDING object that does not know the target: apply',
    observed: state(obj('web', [v('rel-abc')], { status: 'PENDING' })),
    target: want,
    want: { action: 'apply', codes: ['VERSION_MISMATCH'] },
  },
  {
    name: 'mid-rollout, two versions active: progressing, apply the next step',
    observed: state(obj('web', [v('rel-abc'), v('rel-def', { availableReplicas: 1 })])),
    target: want,
    want: { converged: false, action: 'apply', codes: ['PROGRESSING'], messages: ['web: rolling out, rel-abc and rel-def both active'] },
  },
  {
    name: 'mid-rollout on one object while another is wrong: apply wins',
    observed: state(obj('web', [v('rel-abc'), v('rel-def')]), obj('worker', [v('rel-abc')])),
    target: want,
    want: { action: 'apply', codes: ['VERSION_MISMATCH'] },
  },
  {
    name: 'drift and a wrong version at once: both reasons, drift first',
    observed: state(obj('web', [v('rel-abc', { drifted: true })])),
    target: want,
    want: { action: 'apply', codes: ['DRIFT_DETECTED', 'VERSION_MISMATCH'] },
  },
  {
    name: 'failed object on the old version: unhealthy and mismatch',
    observed: state(obj('web', [v('rel-abc', { availableReplicas: 0 })], { status: 'FAILED' })),
    target: want,
    want: { action: 'apply', unhealthy: true, codes: ['UNHEALTHY', 'VERSION_MISMATCH'], messages: ['web: failed', /running rel-abc/] },
  },
  {
    name: 'mid-rollout with replicas missing on both versions: progress, not sickness',
    observed: state(obj('web', [v('rel-abc', { availableReplicas: 1 }), v('rel-def', { availableReplicas: 0 })])),
    target: want,
    want: { action: 'apply', unhealthy: false, codes: ['PROGRESSING'] },
  },
  {
    name: 'no target: never converged, never applies',
    observed: state(obj('web', [v('rel-abc')])),
    want: { converged: false, action: 'none', codes: ['NO_RELEASE'] },
  },
  {
    name: 'no target and nothing running',
    observed: state(),
    want: { converged: false, action: 'none', unhealthy: false, codes: ['NO_RELEASE'] },
  },
  {
    name: 'rollout step reached: two versions active, the step has its replicas on the target',
    observed: state(obj('web', [v('rel-def', { replicas: 2, availableReplicas: 2 }), v('rel-abc', { replicas: 2 })])),
    target: { ...want, step: { index: 1, count: 4, replicas: 2 } },
    want: { converged: true, action: 'none', unhealthy: false, codes: [] },
  },
  {
    name: 'rollout step not reached yet: progressing, with the step in words',
    observed: state(obj('web', [v('rel-def', { replicas: 1, availableReplicas: 1 }), v('rel-abc', { replicas: 3 })], { status: 'PENDING' })),
    target: { ...want, step: { index: 1, count: 4, replicas: 2 } },
    want: { converged: false, action: 'apply', codes: ['PROGRESSING'], messages: ['step 2 of 4: 1 of 2 replicas on rel-def available'] },
  },
  {
    name: 'rollout step with a failed object: unhealthy, not reached',
    observed: state(obj('web', [v('rel-def', { replicas: 2, availableReplicas: 2 }), v('rel-abc')], { status: 'FAILED', message: 'replica 3 crashed' })),
    target: { ...want, step: { index: 1, count: 4, replicas: 2 } },
    want: { converged: false, action: 'apply', unhealthy: true, codes: ['UNHEALTHY'] },
  },
  {
    name: 'no target but something failed: still reports unhealthy',
    observed: state(obj('web', [v('rel-abc')], { status: 'FAILED' })),
    want: { converged: false, action: 'none', unhealthy: true, codes: ['NO_RELEASE', 'UNHEALTHY'] },
  },
];

describe('decide', () => {
  it.each(cases)('$name', ({ observed, target: t, want: w }) => {
    const d = decide(observed, t);
    expect(d.reasons.map((r) => r.code)).toEqual(w.codes);
    if (w.converged !== undefined) expect(d.converged).toBe(w.converged);
    if (w.action !== undefined) expect(d.action).toBe(w.action);
    if (w.unhealthy !== undefined) expect(d.unhealthy).toBe(w.unhealthy);
    (w.messages ?? []).forEach((m, i) => {
      if (typeof m === 'string') expect(d.reasons[i]?.message).toBe(m);
      else expect(d.reasons[i]?.message).toMatch(m);
    });
  });

  it('a converged decision carries no reasons; every other one carries at least one', () => {
    for (const { observed, target: t } of cases) {
      const d = decide(observed, t);
      expect(d.converged ? d.reasons.length === 0 : d.reasons.length > 0).toBe(true);
    }
  });

  it('does not mutate its input', () => {
    const observed = state(obj('web', [v('rel-abc')]));
    const copy = structuredClone(observed);
    decide(observed, want);
    expect(observed).toEqual(copy);
  });
});
