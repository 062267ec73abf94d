import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Process liveness from /proc. `kill -0` is not enough here: PID 1 of these machines does not reap
 * orphans promptly, so a dead replica whose parent (an earlier server) is gone stays a zombie for a
 * while and `kill -0` still succeeds. A pid can also be reused by an unrelated process after a
 * reboot or a long time; the start time recorded at spawn tells the two apart.
 */

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

export interface ProcStat {
  /** R, S, D, Z, T, X... */
  state: string;
  /** Field 22: start time in clock ticks after boot. */
  startTicks: number;
}

export function readProcStat(pid: number): ProcStat | undefined {
  if (!HAS_PROC) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', startTicks: Number(rest[19]) };
}

export type Liveness = 'alive' | 'zombie' | 'gone';

/** Whether the process a record names still runs: not a zombie, and the same process (start time). */
export function liveness(pid: number, startTicks: number | null): Liveness {
  if (!HAS_PROC) {
    // Without /proc (not Linux) fall back to a signal probe; zombies then count as alive.
    try {
      process.kill(pid, 0);
      return 'alive';
    } catch {
      return 'gone';
    }
  }
  const stat = readProcStat(pid);
  if (!stat) return 'gone';
  if (startTicks !== null && stat.startTicks !== startTicks) return 'gone'; // pid reused
  if (stat.state === 'Z' || stat.state === 'X') return 'zombie';
  return 'alive';
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

export const STOP_GRACE_MS = 5_000;

/**
 * SIGTERM to the replica's process group, SIGKILL after the grace period. Deliberately not tied to
 * ctx.signal: a half-done stop would leave a process that no record describes any more, and the
 * wait is bounded anyway.
 */
export async function stopProcessGroup(pid: number, startTicks: number | null, graceMs = STOP_GRACE_MS): Promise<void> {
  const state = liveness(pid, startTicks);
  // 'gone' may mean the pid now belongs to someone else: only signal a group we know is ours. A
  // group outlives its leader, and Linux never hands out a pid still used as a group id, so a
  // vanished leader's group id cannot name a stranger's group unless that group was empty first.
  if (state === 'gone' && readProcStat(pid) !== undefined) return;
  signalGroup(pid, 'SIGTERM');
  if (state !== 'alive') {
    // Leader already dead: sweep whatever it left in its group.
    signalGroup(pid, 'SIGKILL');
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (liveness(pid, startTicks) !== 'alive') {
      signalGroup(pid, 'SIGKILL'); // leftovers of the group, if any
      return;
    }
    await delay(50);
  }
  signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 1_000;
  while (Date.now() < killDeadline && liveness(pid, startTicks) === 'alive') await delay(20);
}
