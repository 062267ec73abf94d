import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Workload {
  pid: number;
  instanceId: string;
  /** Leads its own session: a replica (not something a replica forked). */
  leader: boolean;
}

/**
 * Every live process on this machine carrying `DRIFTLESS_INSTANCE=<one of ids>` in its environment:
 * the process runtime's replicas of those instances and whatever they forked, wherever in the
 * process tree they are (replicas are re-parented away from the server).
 */
export function workloadsOf(ids: Iterable<string>): Workload[] {
  const wanted = new Set(ids);
  const out: Workload[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ: string;
    let stat: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const id = /(?:^|\0)DRIFTLESS_INSTANCE=([^\0]*)/.exec(environ)?.[1];
    if (!id || !wanted.has(id)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') continue;
    out.push({ pid: Number(name), instanceId: id, leader: Number(fields[3]) === Number(name) });
  }
  return out;
}

/** For a failure message: what a leftover process is, and where it came from. */
export function describe(w: Workload): Record<string, unknown> {
  const read = (f: string) => {
    try {
      return readFileSync(`/proc/${w.pid}/${f}`, 'latin1');
    } catch {
      return '';
    }
  };
  const env = Object.fromEntries(read('environ').split('\0').filter((l) => l.startsWith('DRIFTLESS_')).map((l) => l.split('=')));
  const stat = read('stat');
  return { ...w, ppid: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], cmdline: read('cmdline').split('\0').join(' '), env, startedSecondsAgo: Math.round((Date.now() - statSync(`/proc/${w.pid}`).mtimeMs) / 1000) };
}

/** Files under a directory (relative paths), for a failure message. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}
