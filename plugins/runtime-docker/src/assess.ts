/**
 * Where one container stands, from its inspect data (and the plugin's probe): ready, starting,
 * restarting under its restart policy, or failed, with the reason in words. Pure.
 */
import type { ProbeResult } from './probe.js';
import type { ContainerView } from './view.js';

export type Condition =
  | { kind: 'ready' }
  | { kind: 'starting'; why: string }
  /** Docker restarts it under its restart policy: it serves nothing meanwhile. */
  | { kind: 'restarting'; why: string }
  /** Exited, dead, paused, unhealthy, or not healthy within its start timeout. */
  | { kind: 'failed'; why: string };

/** A container without any health check counts as ready once it has been running this long. */
export const READY_AFTER_MS = 1_000;

export interface Judging {
  /** The plugin's HTTP probe of this container, when it has one (`undefined`: none configured). */
  probe?: ProbeResult;
  /** Where the probe went, for messages: "GET /healthz on port 18080". */
  probeTarget?: string;
  startTimeoutSeconds: number;
  now: number;
}

function exitText(v: ContainerView): string {
  if (v.oomKilled) return `was killed for running out of memory (exit code ${v.exitCode})`;
  if (v.exitCode === 137) return 'was killed (exit code 137, SIGKILL)';
  if (v.exitCode === 143) return 'was stopped (exit code 143, SIGTERM)';
  return `exited with code ${v.exitCode}`;
}

function restarts(v: ContainerView): string {
  return `restarted ${v.restartCount} time${v.restartCount === 1 ? '' : 's'} under restart policy "${v.actual.restart}"`;
}

export function judge(v: ContainerView, j: Judging): Condition {
  const sinceStart = j.now - (v.startedAt ?? v.createdAt);
  const overdue = sinceStart > j.startTimeoutSeconds * 1000;
  switch (v.state) {
    case 'restarting':
      return { kind: 'restarting', why: `is restarting: it ${exitText(v)} and was ${restarts(v)}` };
    case 'exited':
    case 'dead':
      return { kind: 'failed', why: `${exitText(v)}${v.error ? ` (${v.error})` : ''}${v.restartCount > 0 ? ` after being ${restarts(v)}` : ''}` };
    case 'paused':
      return { kind: 'failed', why: 'is paused (docker pause); it serves nothing' };
    case 'removing':
      return { kind: 'failed', why: 'is being removed' };
    case 'created':
      return overdue ? { kind: 'failed', why: `was created ${Math.round(sinceStart / 1000)}s ago and never started` } : { kind: 'starting', why: 'is created, not started yet' };
    case 'running':
      break;
    default:
      return { kind: 'failed', why: `is in state "${v.state}"` };
  }
  const restarted = v.restartCount > 0 ? ` (${restarts(v)})` : '';
  if (v.dockerHealth && v.dockerHealth.status !== 'none') {
    const h = v.dockerHealth;
    if (h.status === 'unhealthy') return { kind: 'failed', why: `is unhealthy by its HEALTHCHECK${h.lastOutput ? `: ${h.lastOutput.split('\n').at(-1)}` : ''}${restarted}` };
    if (h.status === 'starting') {
      return overdue
        ? { kind: 'failed', why: `is not healthy ${j.startTimeoutSeconds}s after it started (HEALTHCHECK still "starting")${restarted}` }
        : { kind: 'starting', why: `is starting, waiting for its HEALTHCHECK${restarted}` };
    }
  }
  if (j.probe) {
    if (j.probe.ok) return { kind: 'ready' };
    const what = `${j.probeTarget ?? 'its HTTP probe'} answered ${j.probe.detail}`;
    return overdue
      ? { kind: 'failed', why: `is not healthy ${j.startTimeoutSeconds}s after it started: ${what}${restarted}` }
      : { kind: 'starting', why: `is starting: ${what}${restarted}` };
  }
  if (!v.dockerHealth && sinceStart < READY_AFTER_MS) return { kind: 'starting', why: 'has just started' };
  return { kind: 'ready' };
}
