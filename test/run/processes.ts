/**
 * What runs on this machine, read from Linux /proc: processes with their parent, state and command
 * line, and the TCP ports each one listens on. The leak checks (leak-check.ts, orphans.ts) are built
 * on it. Everything here is a snapshot: a process may be gone a moment later, so every read
 * tolerates a vanished /proc entry.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (dead, not yet reaped), ... */
  state: string;
  /** Clock ticks since boot at its start: with the pid, tells a process from a later one that reuses its pid. */
  startTicks: number;
  command: string;
}

export const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function processInfo(pid: number): ProcessInfo | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so split after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
  return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), state: fields[0]!, startTicks: Number(fields[19]), command: cmdline || `[${comm}]` };
}

export function allProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = processInfo(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** Live (not zombie) descendants of `root`, children before grandchildren. */
export function liveDescendants(root: number, processes = allProcesses()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      queue.push(child.pid);
      if (child.state !== 'Z' && child.state !== 'X') out.push(child);
    }
  }
  return out;
}

/** Socket inode → port of every listening TCP socket (IPv4 and IPv6). */
function listeningSockets(): Map<string, number> {
  const out = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A is LISTEN; local_address is HEXIP:HEXPORT; column 9 is the inode.
      if (cols[3] !== '0A') continue;
      out.set(cols[9]!, parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return out;
}

/** The TCP ports each of `pids` listens on (only pids that listen on something). */
export function listeningPorts(pids: number[]): Map<number, number[]> {
  const sockets = listeningSockets();
  const out = new Map<number, number[]>();
  if (!sockets.size) return out;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const ports = new Set<number>();
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const port = inode ? sockets.get(inode) : undefined;
      if (port !== undefined) ports.add(port);
    }
    if (ports.size) out.set(pid, [...ports].sort((a, b) => a - b));
  }
  return out;
}

/** One line per process for a person: pid, command, ports, and where it runs. */
export function describeProcess(p: ProcessInfo, ports: number[] = []): string {
  const cwd = (() => {
    try {
      return readlinkSync(`/proc/${p.pid}/cwd`);
    } catch {
      return undefined;
    }
  })();
  const command = p.command.length > 160 ? `${p.command.slice(0, 159)}…` : p.command;
  return `pid ${p.pid} \`${command}\`${ports.length ? ` listening on ${ports.map((port) => `:${port}`).join(', ')}` : ''}${cwd ? ` (in ${cwd})` : ''}`;
}

/**
 * Ends processes a test left behind: SIGKILL to each one's process group when it leads one (a
 * detached workload's children die with it), else to the process; then waits until they are gone.
 */
export async function killAll(processes: ProcessInfo[], timeoutMs = 5_000): Promise<void> {
  for (const p of processes) {
    try {
      process.kill(p.pgid === p.pid ? -p.pid : p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (processes.some((p) => isAlive(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Alive and still the same process (not a zombie, not a newer process with the same pid). */
export function isAlive(p: ProcessInfo): boolean {
  const now = processInfo(p.pid);
  return !!now && now.startTicks === p.startTicks && now.state !== 'Z' && now.state !== 'X';
}
