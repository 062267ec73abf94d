import { readFileSync } from 'node:fs';
import { TerminalError } from '@driftless/plugin-sdk';

/** The OS account replicas run as (issue 10 point 4): never the server's own root account by default. */
export interface RunAs {
  uid: number;
  gid: number;
  /** For HOME and USER in the replica's environment. */
  name: string;
  home: string;
}

/** The unprivileged account a root server runs workloads as when its Runtime names none. */
export const DEFAULT_USER = 'nobody';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function readTable(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

function passwd(): PasswdEntry[] {
  return readTable('/etc/passwd').map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

function lookupUser(user: string | number): PasswdEntry | undefined {
  const all = passwd();
  if (typeof user === 'number' || /^\d+$/.test(user)) {
    const uid = Number(user);
    return all.find((e) => e.uid === uid) ?? { name: String(uid), uid, gid: uid, home: '/' };
  }
  return all.find((e) => e.name === user);
}

function lookupGroup(group: string | number): number | undefined {
  if (typeof group === 'number' || /^\d+$/.test(group)) return Number(group);
  const entry = readTable('/etc/group').find((f) => f[0] === group);
  return entry ? Number(entry[2]) : undefined;
}

/**
 * Which account replicas of a Runtime run as. The Runtime's config decides (an unscoped admin's
 * choice, not an application's): `user` (a name or a uid) and optionally `group`. Without one, a
 * server running as root runs them as `nobody` (when the machine has that account); a server
 * running as another user runs them as itself, since it cannot switch. `undefined`: no switch.
 */
export function resolveRunAs(config: { user?: string | number; group?: string | number } | undefined): RunAs | undefined {
  const serverUid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const wanted = config?.user ?? (serverUid === 0 ? DEFAULT_USER : undefined);
  if (wanted === undefined) return undefined;
  const entry = lookupUser(wanted);
  if (!entry) {
    if (config?.user === undefined) return undefined; // no `nobody` on this machine: documented fallback
    throw new TerminalError(`runtime config user "${wanted}" is not an account on this machine (not in /etc/passwd)`);
  }
  let gid = entry.gid;
  if (config?.group !== undefined) {
    const found = lookupGroup(config.group);
    if (found === undefined) throw new TerminalError(`runtime config group "${config.group}" is not a group on this machine (not in /etc/group)`);
    gid = found;
  }
  if (serverUid !== undefined && serverUid !== 0 && (entry.uid !== serverUid || gid !== process.getgid?.())) {
    throw new TerminalError(`cannot run replicas as user "${entry.name}": the server runs as uid ${serverUid}, and only root can switch users (leave user unset to run them as the server's user)`);
  }
  if (serverUid === entry.uid && process.getgid?.() === gid) return undefined; // already that account
  return { uid: entry.uid, gid, name: entry.name, home: entry.home };
}
