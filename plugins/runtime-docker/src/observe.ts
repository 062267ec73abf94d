/**
 * Replicas as classified now → the instance's one ObservedObject (named after the service). Pure.
 *
 * - versions group replicas by release; `availableReplicas` counts ready ones; `active` means at
 *   least one serves; `restarts` sums Docker's RestartCount and the restarts carried over from
 *   crashed replicas apply replaced, so a crash loop shows as a climbing number;
 * - the target's `replicas` is what it should run (spec.replicas), so a removed container shows as
 *   missing, and `drifted` is set when one of its containers runs another digest, was edited by
 *   hand, is not running, or is missing;
 * - FAILED when a container exited, is restarting, paused, unhealthy or not healthy in time;
 *   SUCCEEDED when exactly `replicas` containers run, all the target's, ready and undrifted;
 *   PENDING otherwise. At a rollout step (target.step, `wanted` = the step's replicas) SUCCEEDED
 *   once that many containers of the target are ready and undrifted, next to the release before.
 */
import type { ObjectStatus, ObservedObject, ObservedVersion, TargetState } from '@driftless/plugin-sdk';
import type { Replica } from './classify.js';

export interface Observation {
  object: ObservedObject;
  /** The container whose log tail the message should end with (this function does no I/O). */
  blame?: Replica;
}

export function describeReplica(r: Replica): string {
  const slot = r.slot !== undefined ? `replica ${r.slot}` : 'a replica';
  const of = r.view.managed ? `of ${r.version}` : r.version === 'adopted' ? '(adopted, not the target)' : `(adopted as ${r.version})`;
  return `${slot} ${of} (container ${r.view.name})`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function observe(name: string, replicas: Replica[], target: Pick<TargetState, 'version' | 'step'> | undefined, wanted: number | undefined, configHash?: string): Observation | undefined {
  if (replicas.length === 0 && (!target || wanted !== 0)) return undefined;

  const byVersion = new Map<string, Replica[]>();
  if (target) byVersion.set(target.version, []);
  for (const r of replicas) byVersion.set(r.version, [...(byVersion.get(r.version) ?? []), r]);
  const ofTarget = target ? byVersion.get(target.version)! : [];
  const others = replicas.filter((r) => !target || r.version !== target.version);
  const missing = target && wanted !== undefined && others.length === 0 ? Math.max(0, wanted - ofTarget.length) : 0;

  const versions: ObservedVersion[] = [];
  for (const [version, list] of byVersion) {
    const isTarget = target?.version === version;
    if (list.length === 0 && !(isTarget && (wanted === 0 || missing > 0))) continue;
    const available = list.filter((r) => r.condition.kind === 'ready').length;
    versions.push({
      version,
      replicas: isTarget && wanted !== undefined ? Math.max(wanted, list.length) : list.length,
      availableReplicas: available,
      active: available > 0 || (isTarget && wanted === 0 && replicas.length === 0),
      drifted: isTarget ? list.some((r) => r.role === 'drifted') || missing > 0 : false,
      restarts: list.reduce((sum, r) => sum + r.restarts, 0),
    });
  }
  // The target leads, then newer releases before older ones.
  const newest = (v: string) => Math.max(0, ...(byVersion.get(v) ?? []).map((r) => r.view.createdAt));
  versions.sort((a, b) => Number(b.version === target?.version) - Number(a.version === target?.version) || newest(b.version) - newest(a.version));

  const broken = replicas.filter((r) => r.condition.kind === 'failed' || r.condition.kind === 'restarting');
  if (broken.length > 0) {
    const first = broken[0]!;
    const more = broken.length > 1 ? ` (and ${broken.length - 1} more)` : '';
    const why = first.condition.kind === 'failed' || first.condition.kind === 'restarting' ? first.condition.why : '';
    return { object: { name, status: 'FAILED', versions, message: `${describeReplica(first)} ${why}${more}` }, blame: first };
  }

  const ready = (list: Replica[]) => list.filter((r) => r.condition.kind === 'ready').length;
  const notes: string[] = [];
  const drifted = ofTarget.filter((r) => r.role === 'drifted');
  for (const r of drifted) notes.push(`${describeReplica(r)} drifted: ${r.drift.join('; ')}`);
  if (missing > 0) notes.push(`${plural(missing, 'replica')} of ${target!.version} missing (removed by hand, or never created)`);
  const untaken = ofTarget.filter((r) => !r.view.managed && !r.view.takenOver);
  for (const r of untaken) notes.push(`taking over ${describeReplica(r)}: it runs what ${target!.version} asks for, so no new container is started`);
  const stale = configHash ? ofTarget.filter((r) => r.view.managed && r.view.configHash && r.view.configHash !== configHash && r.role === 'current') : [];
  if (stale.length > 0) notes.push(`${plural(stale.length, 'container')} ${stale.length === 1 ? 'was' : 'were'} created from another version of the compose file or image settings; a new release rolls the change out`);

  let status: ObjectStatus;
  let message: string;
  if (target?.step) {
    // A rollout step: `wanted` containers of the target, all ready and undrifted; the release before keeps the rest.
    const { step } = target;
    const want = wanted ?? step.replicas;
    const good = ofTarget.filter((r) => r.role === 'current' && r.condition.kind === 'ready').length;
    const reached = good >= want && good === ofTarget.length && drifted.length === 0 && untaken.length === 0;
    status = reached ? 'SUCCEEDED' : 'PENDING';
    message = `step ${step.index + 1} of ${step.count}: ${good} of ${plural(want, 'replica')} on ${target.version} available, ${plural(others.length, 'container')} of the release before`;
  } else if (target) {
    const want = wanted ?? 1;
    const good = ofTarget.filter((r) => r.role === 'current' && r.condition.kind === 'ready').length;
    const serving = good === want && ofTarget.length === want && others.length === 0 && drifted.length === 0;
    status = serving && untaken.length === 0 ? 'SUCCEEDED' : 'PENDING';
    message = serving
      ? `${good} of ${want} replicas of ${target.version} available`
      : `rolling out ${target.version}: ${ready(ofTarget)} of ${want} replicas available` +
        (others.length > 0 ? `, ${plural(others.length, 'container')} of other releases still running` : '') +
        (ofTarget.length > want ? `, ${ofTarget.length - want} to remove` : '');
  } else {
    const done = ready(replicas) === replicas.length && byVersion.size === 1;
    status = done ? 'SUCCEEDED' : 'PENDING';
    message = `${ready(replicas)} of ${plural(replicas.length, 'container')} ready`;
  }
  return { object: { name, status, versions, message: [message, ...notes].join('; ') } };
}
