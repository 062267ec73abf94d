/**
 * The convergence decision: pure, plain data in and out, no clock, no I/O. Given what a plugin
 * observed and the release the engine steers to, say whether the instance is converged, whether an
 * `apply` is due, and why, in words a person on call understands.
 *
 * Converged iff there is at least one object, every object SUCCEEDED, each has exactly one active
 * version, that version is the target's, nothing is drifted, and every active version has all of
 * its replicas available.
 *
 * `apply` is due whenever the instance is not converged. Apply is idempotent and plugins may do
 * their work one bounded step per call (the process runtime starts one replica per apply), so a
 * rollout that is progressing (objects PENDING, or the target active next to the old version)
 * gets another apply on the next tick, not just another look.
 */
import type { ObservedObject, ObservedState, RolloutStep, TargetState } from '@driftless/plugin-sdk';
import type { ReasonCode } from '../server/domain/status.js';

export interface DecisionReason {
  code: ReasonCode;
  message: string;
}

export interface Decision {
  converged: boolean;
  action: 'none' | 'apply';
  reasons: DecisionReason[];
  /** Something FAILED or has replicas unavailable: the engine's progress deadline should count. */
  unhealthy: boolean;
}

/** Where one object stands with respect to the target version. */
type Placement = 'on-target' | 'mid-rollout' | 'starting' | 'wrong' | 'nothing';

export function decide(observed: ObservedState, target: TargetState | undefined, label: (version: string) => string = (v) => v): Decision {
  const objects = observed.objects;
  const reasons: DecisionReason[] = [];
  const unhealthyMessages = healthProblems(objects);
  const unhealthy = unhealthyMessages.length > 0;

  if (target === undefined) {
    return {
      converged: false,
      action: 'none',
      reasons: [{ code: 'NO_RELEASE', message: 'no release to converge to yet' }, ...unhealthyMessages],
      unhealthy,
    };
  }
  if (objects.length === 0) {
    return {
      converged: false,
      action: 'apply',
      reasons: [{ code: 'VERSION_MISMATCH', message: `nothing is running yet, want ${label(target.version)}` }],
      unhealthy: false,
    };
  }

  if (target.step) return decideStep(objects, target, target.step, label, unhealthyMessages);

  let apply = false;
  const drift = driftProblems(objects, label);
  if (drift.length > 0) {
    reasons.push(...drift);
    apply = true;
  }
  if (unhealthy) {
    reasons.push(...unhealthyMessages);
    // Re-applying a FAILED object is harmless (apply is idempotent) and may restart it; missing
    // replicas on a SUCCEEDED object are the backend's business until the progress deadline.
    if (objects.some((o) => o.status === 'FAILED')) apply = true;
  }

  const placements = objects.map((o) => placement(o, target.version));
  const mismatch = versionMismatch(objects, placements, target.version, label);
  if (mismatch) {
    reasons.push(mismatch);
    apply = true;
  }

  const progressing = progressMessages(objects, placements, target.version, label);
  if (progressing.length > 0 && !apply) reasons.push(...progressing);
  if (progressing.length > 0) apply = true;

  const converged =
    reasons.length === 0 && objects.every((o, i) => o.status === 'SUCCEEDED' && placements[i] === 'on-target');
  if (!converged && reasons.length === 0) {
    // Defensive: every non-converged state above yields a reason; never leave "why" unanswered.
    reasons.push({ code: 'PROGRESSING', message: `waiting for ${label(target.version)} to settle` });
  }
  if (!converged) apply = true;
  return { converged, action: apply ? 'apply' : 'none', reasons, unhealthy };
}

/**
 * A progressive rollout's step: "converged" means the step is reached, every object SUCCEEDED
 * (the plugin's word that it runs the step) with nothing drifted, and at least step.replicas
 * replicas of the target available across objects. Older versions next to it are expected.
 */
function decideStep(objects: ObservedObject[], target: TargetState, step: RolloutStep, label: (v: string) => string, unhealthy: DecisionReason[]): Decision {
  const drift = driftProblems(objects, label);
  const available = objects.reduce((n, o) => n + o.versions.filter((v) => v.version === target.version).reduce((m, v) => m + v.availableReplicas, 0), 0);
  const reached = drift.length === 0 && unhealthy.length === 0 && objects.every((o) => o.status === 'SUCCEEDED') && available >= step.replicas;
  if (reached) return { converged: true, action: 'none', reasons: [], unhealthy: false };
  const reasons = [...drift, ...unhealthy];
  if (reasons.length === 0) reasons.push({ code: 'PROGRESSING', message: `step ${step.index + 1} of ${step.count}: ${available} of ${plural(step.replicas, 'replica')} on ${label(target.version)} available` });
  return { converged: false, action: 'apply', reasons, unhealthy: unhealthy.length > 0 };
}

function activeVersions(o: ObservedObject): string[] {
  return o.versions.filter((v) => v.active).map((v) => v.version);
}

function placement(o: ObservedObject, want: string): Placement {
  const active = activeVersions(o);
  if (active.length === 1 && active[0] === want) return 'on-target';
  if (active.includes(want)) return 'mid-rollout';
  // A PENDING object that already knows the target is starting it up (apply went through).
  if (o.status === 'PENDING' && o.versions.some((v) => v.version === want)) return 'starting';
  return active.length === 0 ? 'nothing' : 'wrong';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function versionMismatch(objects: ObservedObject[], placements: Placement[], want: string, label: (v: string) => string): DecisionReason | undefined {
  const total = objects.length;
  const counts = new Map<string, number>();
  let nothing = 0;
  placements.forEach((p, i) => {
    if (p === 'nothing') nothing++;
    if (p !== 'wrong') return;
    for (const v of activeVersions(objects[i]!)) counts.set(v, (counts.get(v) ?? 0) + 1);
  });
  if (counts.size === 0 && nothing === 0) return undefined;
  const parts = [...counts].map(([v, n]) => `${label(v)} on ${n} of ${plural(total, 'object')}`);
  if (counts.size === 0) {
    return { code: 'VERSION_MISMATCH', message: `nothing running on ${nothing} of ${plural(total, 'object')}, want ${label(want)}` };
  }
  if (nothing > 0) parts.push(`nothing on ${nothing}`);
  return { code: 'VERSION_MISMATCH', message: `running ${parts.join(', ')}, want ${label(want)}` };
}

function driftProblems(objects: ObservedObject[], label: (v: string) => string): DecisionReason[] {
  const out: DecisionReason[] = [];
  for (const o of objects) {
    const drifted = o.versions.filter((v) => v.drifted).map((v) => label(v.version));
    if (drifted.length === 0) continue;
    const detail = o.message ? `: ${o.message}` : '';
    out.push({ code: 'DRIFT_DETECTED', message: `${o.name}: ${drifted.join(', ')} drifted from what was applied${detail}` });
  }
  return out;
}

function healthProblems(objects: ObservedObject[]): DecisionReason[] {
  const out: DecisionReason[] = [];
  for (const o of objects) {
    if (o.status === 'FAILED') {
      out.push({ code: 'UNHEALTHY', message: `${o.name}: failed${o.message ? `: ${o.message}` : ''}` });
      continue;
    }
    // While PENDING or mid-rollout (two versions active), missing replicas are expected: that is
    // progress, not sickness. The progress deadline catches a rollout that never finishes.
    const active = o.versions.filter((v) => v.active);
    if (o.status !== 'SUCCEEDED' || active.length !== 1) continue;
    const v = active[0]!;
    if (v.availableReplicas < v.replicas) {
      out.push({ code: 'UNHEALTHY', message: `${o.name}: ${v.availableReplicas} of ${plural(v.replicas, 'replica')} available` });
    }
  }
  return out;
}

function progressMessages(objects: ObservedObject[], placements: Placement[], want: string, label: (v: string) => string): DecisionReason[] {
  const out: DecisionReason[] = [];
  objects.forEach((o, i) => {
    const p = placements[i];
    if (p === 'mid-rollout') {
      out.push({ code: 'PROGRESSING', message: `${o.name}: rolling out, ${activeVersions(o).map(label).join(' and ')} both active` });
    } else if (p === 'starting' || (p === 'on-target' && o.status === 'PENDING')) {
      const v = o.versions.find((x) => x.version === want);
      const ready = v ? `, ${v.availableReplicas} of ${plural(v.replicas, 'replica')} available` : '';
      out.push({ code: 'PROGRESSING', message: `${o.name}: starting ${label(want)}${ready}` });
    }
  });
  return out;
}
