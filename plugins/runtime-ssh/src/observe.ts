import type { ObservedObject, TargetState } from '@driftless/plugin-sdk';
import type { HostView } from './host-state.js';
import { describe, type ReleaseRecord } from './record.js';

/** The record runs the target: same version and same digest. */
export function onTarget(record: ReleaseRecord, target: Pick<TargetState, 'version' | 'digest'>): boolean {
  return record.version === target.version && record.digest === target.digest;
}

/** Alive but still unhealthy after the time its health check allows for starting. */
export function overdue(view: HostView, now: number): boolean {
  if (view.kind !== 'deployed' || !view.alive || view.healthy) return false;
  const limit = (view.record.healthCheck?.timeoutSeconds ?? 0) * 1000;
  return now - Date.parse(view.record.startedAt) > limit;
}

function healthText(r: ReleaseRecord): string {
  const hc = r.healthCheck;
  if (!hc) return '';
  return hc.http ? ` (GET ${hc.http.path} on port ${hc.http.port})` : ' (health command)';
}

/**
 * Pure: one host's view → its ObservedObject (name = host name). One process per host, so a
 * version has 1 replica, available when healthy; `active` only when alive and healthy; `drifted`
 * when the process is gone or the record's digest differs from the target's for that version.
 * - FAILED: unreachable, record unreadable, process not running, or unhealthy past its timeout;
 * - PENDING: nothing deployed, starting (unhealthy within its timeout), or another version runs;
 * - SUCCEEDED: the target (or, without a target, whatever is recorded) runs and is healthy.
 */
export function observeHost(view: HostView, target: TargetState | undefined, now: number): ObservedObject {
  const name = view.host.name;
  switch (view.kind) {
    case 'unreachable':
      return { name, status: 'FAILED', versions: [], message: view.message };
    case 'invalid':
      return { name, status: 'FAILED', versions: [], message: view.message };
    case 'empty':
      return { name, status: 'PENDING', versions: [], message: target ? `nothing deployed yet, want ${target.version}` : 'nothing deployed' };
    case 'deployed':
      break;
  }
  const r = view.record;
  const digestDrift = target !== undefined && r.version === target.version && r.digest !== target.digest;
  const versions = [
    { version: r.version, replicas: 1, availableReplicas: view.healthy ? 1 : 0, active: view.alive && view.healthy, drifted: !view.alive || digestDrift },
  ];
  if (!view.alive) {
    return { name, status: 'FAILED', versions, message: `${describe(r)} is not running (exited or killed)` };
  }
  if (overdue(view, now)) {
    return { name, status: 'FAILED', versions, message: `${describe(r)} is not healthy after ${r.healthCheck!.timeoutSeconds}s${healthText(r)}` };
  }
  if (!view.healthy) {
    return { name, status: 'PENDING', versions, message: `starting ${describe(r)}, waiting for its health check${healthText(r)}` };
  }
  if (!target) return { name, status: 'SUCCEEDED', versions, message: `${describe(r)} is healthy` };
  if (digestDrift) {
    return { name, status: 'SUCCEEDED', versions, message: `${describe(r)} runs digest ${r.digest.slice(0, 12)}, the target's is ${target.digest.slice(0, 12)}` };
  }
  if (r.version !== target.version) return { name, status: 'PENDING', versions, message: `runs ${describe(r)}, want ${target.version}` };
  return { name, status: 'SUCCEEDED', versions, message: `${describe(r)} is healthy` };
}

/**
 * Pure: a host a rollout step holds back (not among the step's hosts, see stepHosts): judged on
 * its own, as if there were no target, since it is meant to keep what it runs. A healthy host on
 * the release before is SUCCEEDED (the step needs nothing from it); so is a host with nothing
 * deployed, which a later step fills. Dead, unreadable or unreachable hosts stay FAILED.
 */
export function observeHeld(view: HostView, target: TargetState, now: number): ObservedObject {
  const step = target.step!;
  const why = `step ${step.index + 1} of ${step.count} runs ${target.version} on ${step.replicas} other host(s)`;
  if (view.kind === 'empty') return { name: view.host.name, status: 'SUCCEEDED', versions: [], message: `nothing deployed; ${why}, a later step deploys here` };
  const seen = observeHost(view, undefined, now);
  if (seen.status !== 'SUCCEEDED' || view.kind !== 'deployed') return seen;
  return { ...seen, message: `keeps ${describe(view.record)}: ${why}` };
}
