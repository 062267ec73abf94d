import type { RolloutStep, TargetState } from '@driftless/plugin-sdk';
import type { HostView } from './host-state.js';
import { standing, type Standing } from './standing.js';

/**
 * Which hosts run the target at a progressive rollout's step (TargetState.step): `replicas` of
 * them, one process each. The choice must not move between calls (fetch and apply, and the apply
 * calls of one step, have to agree), so hosts are ranked by what they run now, then config order:
 * 1. hosts already on the target (running or starting): a step never takes the release back;
 * 2. hosts that serve nothing (nothing deployed, process dead, record unreadable): the target
 *    costs no capacity there;
 * 3. hosts on the release before;
 * 4. unreachable hosts (nobody knows what they run).
 * The hosts left out are held: apply does not touch them, whatever they run.
 */
const RANK: Record<Standing, number> = { done: 0, starting: 0, broken: 1, old: 2, unreachable: 3 };

export function stepHosts(views: HostView[], target: Pick<TargetState, 'version' | 'digest'>, step: Pick<RolloutStep, 'replicas'>, now: number): Set<string> {
  const ranked = views
    .map((view, order) => ({ view, order, rank: RANK[standing(view, target, now)] }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order);
  return new Set(ranked.slice(0, Math.max(0, step.replicas)).map((r) => r.view.host.name));
}
