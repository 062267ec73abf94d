import type { ObjectStatus, ObservedObject, ObservedVersion, TargetState } from '@driftless/plugin-sdk';
import { overdue, type ReplicaView } from './assess.js';
import type { ReplicaRecord } from './records.js';

export interface Observation {
  object: ObservedObject;
  /** The replica the message is about, whose log tail the caller appends (this function does no IO). */
  blame?: ReplicaRecord;
}

export function describeReplica(r: ReplicaRecord): string {
  return `replica ${r.slot} of ${r.version} (pid ${r.pid}, port ${r.port})`;
}

/**
 * Pure: replicas as seen now → the one ObservedObject of the instance, or undefined when nothing
 * runs and nothing is wanted.
 *
 * - versions group replicas by the release they were started for; `replicas` counts records,
 *   `availableReplicas` the alive and healthy ones; a version is `active` when it serves
 *   (≥ 1 available replica), so a finished rollout shows exactly one version.
 * - `drifted`: a replica of that version runs a spec with another digest than the target's, or a
 *   replica of that version died.
 * - status FAILED: a replica died or gave up starting, or stays unhealthy past its health timeout;
 *   SUCCEEDED: exactly `spec.replicas` replicas, all of the target version and available;
 *   PENDING otherwise. At a rollout step (target.step), SUCCEEDED once exactly step.replicas
 *   replicas run the target and are available (the others keep the release before). Without a target, SUCCEEDED means every replica is available and one
 *   version runs.
 * - `replicas: 0` converged is reported as the target version with 0 replicas, active, so the
 *   engine still sees "one active version equal to the target".
 */
export function observe(
  name: string,
  views: ReplicaView[],
  target: TargetState | undefined,
  wantedReplicas: number | undefined,
  now: number,
): Observation | undefined {
  if (views.length === 0 && !target) return undefined;

  const byVersion = new Map<string, ReplicaView[]>();
  if (target) byVersion.set(target.version, []);
  for (const v of views) {
    const list = byVersion.get(v.record.version) ?? [];
    list.push(v);
    byVersion.set(v.record.version, list);
  }
  const versions: ObservedVersion[] = [];
  for (const [version, list] of byVersion) {
    const available = list.filter((v) => v.healthy).length;
    const isTarget = target?.version === version;
    // The target's empty entry only stays when it is the whole story (scaled to zero, converged).
    if (list.length === 0 && !(isTarget && wantedReplicas === 0 && views.length === 0)) continue;
    versions.push({
      version,
      replicas: list.length,
      availableReplicas: available,
      active: available > 0 || list.length === 0,
      drifted: list.some((v) => !v.alive || (target !== undefined && isTarget && v.record.digest !== target.digest)),
    });
  }
  // Newest release first; the target leads when present.
  const newest = (version: string) => Math.max(0, ...(byVersion.get(version) ?? []).map((v) => Date.parse(v.record.startedAt)));
  versions.sort((a, b) => Number(b.version === target?.version) - Number(a.version === target?.version) || newest(b.version) - newest(a.version));

  const dead = views.find((v) => !v.alive);
  if (dead) {
    const r = dead.record;
    const why = r.failure ?? 'is not running (exited or crashed)';
    return { object: { name, status: 'FAILED', versions, message: `${describeReplica(r)} ${why}` }, blame: r };
  }
  const late = views.find((v) => overdue(v, now));
  if (late) {
    const r = late.record;
    const message = `${describeReplica(r)} is not healthy after ${r.healthCheck?.timeoutSeconds}s (GET ${r.healthCheck?.path})`;
    return { object: { name, status: 'FAILED', versions, message }, blame: r };
  }

  const available = views.filter((v) => v.healthy);
  let status: ObjectStatus;
  let message: string;
  if (target?.step) {
    // A rollout step: done once step.replicas replicas run the target; the rest keep what they ran.
    const { step } = target;
    const ofTarget = views.filter((v) => v.record.version === target.version && v.record.digest === target.digest);
    const ready = ofTarget.filter((v) => v.healthy).length;
    const others = views.length - ofTarget.length;
    const done = ofTarget.length === step.replicas && ready === step.replicas;
    status = done ? 'SUCCEEDED' : 'PENDING';
    message = `step ${step.index + 1} of ${step.count}: ${ready} of ${step.replicas} replica(s) on ${target.version} available, ${others} on the release before`;
  } else if (target) {
    const wanted = wantedReplicas ?? 1;
    const ofTarget = views.filter((v) => v.record.version === target.version);
    const others = views.length - ofTarget.length;
    const ready = ofTarget.filter((v) => v.healthy).length;
    const done = ofTarget.length === wanted && ready === wanted && others === 0;
    status = done ? 'SUCCEEDED' : 'PENDING';
    message = done
      ? `${ready} of ${wanted} replicas of ${target.version} available`
      : `rolling out ${target.version}: ${ready} of ${wanted} replicas available` +
        (others > 0 ? `, ${others} replica(s) of older versions still running` : '') +
        (ofTarget.length > wanted ? `, ${ofTarget.length - wanted} to remove` : '');
    const stale = ofTarget.filter((v) => v.record.digest !== target.digest).length;
    if (stale > 0) message += `; ${stale} replica(s) run an outdated spec (digest differs)`;
  } else {
    const done = available.length === views.length && versions.length === 1;
    status = done ? 'SUCCEEDED' : 'PENDING';
    message = `${available.length} of ${views.length} replicas available`;
  }
  return { object: { name, status, versions, message } };
}
