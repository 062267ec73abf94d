import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat, type ProcStat } from './proc.js';

/** The variable every replica (and everything it forks) carries, so a restarted runtime can find it. */
export const MARKER_VAR = 'DRIFTLESS_REPLICA';

export interface MarkedProcess extends ProcStat {
  pid: number;
  /** Leads its own session: the replica itself (started through setsid), not a child of it. */
  leader: boolean;
}

function sessionOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[3]);
  } catch {
    return undefined;
  }
}

/**
 * Live processes whose environment holds `DRIFTLESS_REPLICA=<marker>`. Reads every
 * /proc/PID/environ, so it runs only to recover from a crash (an intent without a record), never
 * on the steady path. Processes of other users are visible to a root server, and a non-root server
 * runs replicas as itself: either way it can read the environments of its own replicas.
 */
export function findMarked(marker: string): MarkedProcess[] {
  const needle = Buffer.from(`${MARKER_VAR}=${marker}\0`);
  const out: MarkedProcess[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    const at = environ.indexOf(needle);
    if (at === -1 || (at > 0 && environ[at - 1] !== 0)) continue;
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    out.push({ pid, ...stat, leader: sessionOf(pid) === pid });
  }
  return out;
}
