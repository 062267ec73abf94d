/**
 * What one apply step does, decided from the replicas as they are (pure). A step has three parts:
 * 1. cleanup: containers that serve nothing and will not by themselves (exited, dead, paused,
 *    unhealthy, not healthy in time; old releases' containers that are restarting) are removed.
 *    Those of the target's release are replaced by this step, carrying their restart count over;
 * 2. waiting: the target's starting containers are waited for (created ones are started);
 * 3. the rollout: create, replace or remove, within `update`:
 *    - start-first: up to maxSurge extra containers start; once ready, as many old ones go;
 *    - stop-first (no surge room): old containers stop first, keeping
 *      `replicas - maxUnavailable` serving; containers that do not serve go first, for free;
 *    - surplus containers of the target (scaled down) are removed.
 * A container of the target restarting under its restart policy is left to Docker: it holds its
 * slot, does not count as serving, and old containers stay until it serves.
 * At a progressive rollout's step (TargetState.step) the rollout aims at `step.replicas`
 * containers of the target next to `replicas - step.replicas` old ones, within the same `update`.
 */
import type { TargetState } from '@driftless/plugin-sdk';
import type { Replica } from './classify.js';
import type { ServiceTemplate } from './template.js';

export interface Cleanup {
  remove: Replica[];
  /** Restarts to carry into the replicas that replace crashed ones of the target (each + 1). */
  carry: number[];
}

const ready = (r: Replica) => r.condition.kind === 'ready';
const ofTarget = (r: Replica, target: Pick<TargetState, 'version'>) => r.version === target.version && r.role !== 'old';

export function cleanup(replicas: Replica[], target: Pick<TargetState, 'version'>): Cleanup {
  const remove = replicas.filter((r) => r.condition.kind === 'failed' || (r.condition.kind === 'restarting' && !ofTarget(r, target)));
  const carry = remove.filter((r) => ofTarget(r, target) && r.condition.kind === 'failed').map((r) => r.restarts + 1);
  return { remove, carry: carry.sort((a, b) => b - a) };
}

export type Rollout =
  | { kind: 'none'; why: string }
  | { kind: 'hold'; why: string }
  /** Create `count` new replicas in `slots`; once all are ready, remove `thenRemove`. */
  | { kind: 'create'; count: number; slots: number[]; thenRemove: Replica[]; why: string }
  /** Remove first, then create `count` replicas in `slots` (stop-first). */
  | { kind: 'replace'; remove: Replica[]; count: number; slots: number[]; why: string }
  | { kind: 'remove'; remove: Replica[]; why: string };

/** Removal order: what serves nothing first, then adopted leftovers, then the oldest. */
function byRemovalPreference(a: Replica, b: Replica): number {
  return Number(ready(a)) - Number(ready(b)) || Number(a.view.managed) - Number(b.view.managed) || a.view.createdAt - b.view.createdAt;
}

/** The lowest `count` slots no container holds (after `freed` are gone). */
export function freeSlots(replicas: Replica[], count: number, freed: Replica[] = []): number[] {
  const gone = new Set(freed.map((r) => r.view.id));
  const taken = new Set(replicas.filter((r) => !gone.has(r.view.id) && r.slot !== undefined).map((r) => r.slot!));
  const slots: number[] = [];
  for (let s = 0; slots.length < count; s++) if (!taken.has(s)) slots.push(s);
  return slots;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The rollout part of a step, for replicas left after cleanup and waiting. At a progressive
 * rollout's step (`step`, TargetState.step) the target runs `step.replicas` containers and the
 * release before keeps `replicas - step.replicas`: the same start-first / stop-first moves as a
 * full rollout, stopping once the step's count is reached. Old containers that crashed are not
 * brought back (the plugin only starts the target), so a step never adds to the old release.
 */
export function rollout(replicas: Replica[], template: Pick<ServiceTemplate, 'replicas' | 'update'>, target: Pick<TargetState, 'version'>, step?: { replicas: number }): Rollout {
  const n = template.replicas;
  // Containers of the target wanted now, and old ones a step keeps serving next to them.
  const want = step ? Math.min(Math.max(0, step.replicas), n) : n;
  const keep = n - want;
  const { maxSurge, maxUnavailable } = template.update;
  const current = replicas.filter((r) => r.role === 'current');
  const stale = replicas.filter((r) => r.role !== 'current').sort(byRemovalPreference);
  const readyCurrent = current.filter(ready).length;
  const need = want - current.length;
  const serving = readyCurrent + stale.filter(ready).length;
  const restarting = current.filter((r) => r.condition.kind === 'restarting');

  if (need > 0) {
    const room = n + maxSurge - (current.length + stale.length);
    if (room > 0) {
      const count = Math.min(need, room);
      const surplus = Math.max(0, current.length + count + stale.length - n);
      return { kind: 'create', count, slots: freeSlots(replicas, count), thenRemove: stale.slice(0, surplus), why: `${plural(count, 'new replica')} of ${target.version}` };
    }
    // No surge room: stop-first. Containers that serve nothing go for free; serving ones only
    // while replicas - maxUnavailable keep serving.
    const idle = stale.filter((r) => !ready(r));
    const budget = Math.max(0, serving - (n - maxUnavailable));
    const remove = [...idle, ...stale.filter(ready).slice(0, budget)].slice(0, need);
    if (remove.length === 0) {
      return { kind: 'hold', why: `${plural(stale.length, 'old container')} must keep serving: ${serving} of ${n} serve and maxUnavailable is ${maxUnavailable}` };
    }
    return { kind: 'replace', remove, count: remove.length, slots: freeSlots(replicas, remove.length, remove), why: `${plural(remove.length, 'replica')} of ${target.version} replacing old ones` };
  }

  if (stale.length > keep) {
    const excess = stale.length - keep;
    const idle = stale.filter((r) => !ready(r));
    const canDropServing = readyCurrent >= want - maxUnavailable;
    const remove = (canDropServing ? stale : idle).slice(0, excess);
    if (remove.length === 0) {
      const why = restarting.length > 0 ? `${plural(restarting.length, 'replica')} of ${target.version} ${restarting.length === 1 ? 'is' : 'are'} restarting` : `${readyCurrent} of ${want} replicas of ${target.version} are ready`;
      return { kind: 'hold', why: `old containers keep serving: ${why}` };
    }
    return { kind: 'remove', remove, why: `${readyCurrent} of ${want} replicas of ${target.version} serve` };
  }
  if (current.length > n) {
    const extra = [...current].sort((a, b) => Number(ready(a)) - Number(ready(b)) || (b.slot ?? 0) - (a.slot ?? 0)).slice(0, current.length - n);
    return { kind: 'remove', remove: extra, why: `scaling to ${plural(n, 'replica')}` };
  }
  if (restarting.length > 0) return { kind: 'hold', why: `${plural(restarting.length, 'replica')} of ${target.version} restarting under ${restarting.length === 1 ? 'its' : 'their'} restart policy` };
  if (step) return { kind: 'none', why: `the step runs ${readyCurrent} of ${n} replicas on ${target.version}, ${stale.length} on the release before` };
  return { kind: 'none', why: `${readyCurrent} of ${n} replicas of ${target.version} available` };
}
