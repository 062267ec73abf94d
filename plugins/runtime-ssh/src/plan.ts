import type { TargetState } from '@driftless/plugin-sdk';
import type { HostView } from './host-state.js';
import { onTarget, overdue } from './observe.js';

/** Where one host stands against the target. */
export type Standing =
  /** The target runs and is healthy. */
  | 'done'
  /** The target runs, not healthy yet but within its health timeout: wait for it. */
  | 'starting'
  /** Nothing serves here (nothing deployed, record unreadable, process dead, unhealthy for too long): deploy. */
  | 'broken'
  /** Another release (or the target with another digest) serves here: replace it. */
  | 'old'
  | 'unreachable';

export function standing(view: HostView, target: Pick<TargetState, 'version' | 'digest'>, now: number): Standing {
  switch (view.kind) {
    case 'unreachable':
      return 'unreachable';
    case 'empty':
    case 'invalid':
      return 'broken';
    case 'deployed':
      if (!view.alive || overdue(view, now)) return 'broken';
      if (!onTarget(view.record, target)) return view.healthy ? 'old' : 'broken';
      return view.healthy ? 'done' : 'starting';
  }
}

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
}

/**
 * Pure: the hosts one apply step works on. At most `maxUnavailable` hosts may be out of service at
 * once, counting unreachable hosts (nobody knows whether they serve), broken ones and starting ones.
 * - starting hosts are waited for;
 * - broken hosts are deployed (they serve nothing, so fixing them costs no capacity), up to
 *   maxUnavailable per step;
 * - old hosts are replaced only while the budget has room, in config order.
 */
export function plan(views: HostView[], target: Pick<TargetState, 'version' | 'digest'>, maxUnavailable: number, now: number): Plan {
  const standings = new Map(views.map((v) => [v.host.name, standing(v, target, now)]));
  const having = (s: Standing) => views.filter((v) => standings.get(v.host.name) === s);
  const unreachable = having('unreachable');
  const starting = having('starting');
  const broken = having('broken').slice(0, maxUnavailable);
  const old = having('old');
  const out = unreachable.length + starting.length + having('broken').length;
  const room = Math.max(0, maxUnavailable - out);
  const replace = old.slice(0, room);
  const deploy = [...broken, ...replace];
  const remaining = views.length - having('done').length - starting.length - deploy.length;
  let held: string | undefined;
  if (old.length > replace.length && out > 0) {
    const names = [...unreachable, ...starting, ...having('broken')].map((v) => v.host.name);
    held = `${old.length - replace.length} host(s) wait: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} out of service and maxUnavailable is ${maxUnavailable}`;
  }
  return { await: starting, deploy, standings, remaining, ...(held ? { held } : {}) };
}
