import type { RolloutStep, TargetState } from '@driftless/plugin-sdk';
import type { HostView } from './host-state.js';
import { standing, type Standing } from './standing.js';
import { stepHosts } from './step.js';

export { standing, type Standing } from './standing.js';

export interface Plan {
  /** Hosts whose starting target process to wait for. */
  await: HostView[];
  /** Hosts to deploy the target on (upload, stop the old process, start, wait healthy, record). */
  deploy: HostView[];
  standings: Map<string, Standing>;
  /** Hosts not done after this step would run, assuming it succeeds (0: the step finishes the rollout). */
  remaining: number;
  /** Why `old` hosts wait, when they do. */
  held?: string;
  /** At a rollout step: the hosts that run the target at this step (the others are held). */
  stepHosts?: Set<string>;
}

/**
 * Pure: the hosts one apply step works on. At most `maxUnavailable` hosts may be out of service at
 * once, counting unreachable hosts (nobody knows whether they serve), broken ones and starting ones.
 * - starting hosts are waited for;
 * - broken hosts are deployed (they serve nothing, so fixing them costs no capacity), up to
 *   maxUnavailable per step;
 * - old hosts are replaced only while the budget has room, in config order.
 * At a progressive rollout's step (`step`), only the step's hosts (see stepHosts) are worked on;
 * the others are held as they are. Out-of-service hosts count against the budget wherever they are.
 */
export function plan(views: HostView[], target: Pick<TargetState, 'version' | 'digest'>, maxUnavailable: number, now: number, step?: Pick<RolloutStep, 'replicas'>): Plan {
  const standings = new Map(views.map((v) => [v.host.name, standing(v, target, now)]));
  const chosen = step ? stepHosts(views, target, step, now) : undefined;
  const inStep = (v: HostView) => !chosen || chosen.has(v.host.name);
  const having = (s: Standing) => views.filter((v) => standings.get(v.host.name) === s);
  const unreachable = having('unreachable');
  const starting = having('starting').filter(inStep);
  const broken = having('broken').filter(inStep).slice(0, maxUnavailable);
  const old = having('old').filter(inStep);
  const out = unreachable.length + having('starting').length + having('broken').length;
  const room = Math.max(0, maxUnavailable - out);
  const replace = old.slice(0, room);
  const deploy = [...broken, ...replace];
  const worked = views.filter(inStep);
  const remaining = worked.length - worked.filter((v) => standings.get(v.host.name) === 'done').length - starting.length - deploy.length;
  let held: string | undefined;
  if (old.length > replace.length && out > 0) {
    const names = [...unreachable, ...having('starting'), ...having('broken')].map((v) => v.host.name);
    held = `${old.length - replace.length} host(s) wait: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} out of service and maxUnavailable is ${maxUnavailable}`;
  }
  return { await: starting, deploy, standings, remaining, ...(chosen ? { stepHosts: chosen } : {}), ...(held ? { held } : {}) };
}
