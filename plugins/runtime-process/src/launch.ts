import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { RetryableError, TerminalError } from '@driftless/plugin-sdk';
import { MARKER_VAR } from './environ.js';
import { readProcStat } from './proc.js';
import type { RunAs } from './run-as.js';

export interface LaunchRequest {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  /** Another OS account to run as (resolveRunAs); undefined: the server's own. */
  runAs?: RunAs;
}

export interface Launched {
  /** Only when the replica is the server's own child (no setsid(1) on this machine). */
  child?: ChildProcess;
  pid: number;
  procStartTicks: number | null;
}

/**
 * The environment a replica sees: what its spec and channel give, PATH, HOME (and USER when it
 * runs as another account), and its marker. Never the server's environment: a workload must not
 * learn the server's secrets from its own environment (issue 10 point 4).
 */
export function replicaEnv(parts: {
  targetEnv: Record<string, string>;
  specEnv: Record<string, string>;
  port: number;
  release: string;
  instanceId: string;
  marker: string;
  runAs?: RunAs;
}): Record<string, string> {
  const base: Record<string, string> = {};
  if (process.env.PATH !== undefined) base.PATH = process.env.PATH;
  if (parts.runAs) {
    base.HOME = parts.runAs.home;
    base.USER = parts.runAs.name;
  } else if (process.env.HOME !== undefined) {
    base.HOME = process.env.HOME;
  }
  return {
    ...base,
    ...parts.targetEnv,
    ...parts.specEnv,
    PORT: String(parts.port),
    DRIFTLESS_RELEASE: parts.release,
    DRIFTLESS_INSTANCE: parts.instanceId,
    [MARKER_VAR]: parts.marker,
  };
}

/** util-linux setsid(1): with it a replica leaves the server's process tree (see launch). */
const SETSID = ['/usr/bin/setsid', '/bin/setsid'].find((p) => existsSync(p));

/** Finds the executable the way exec does, to refuse a typo before anything starts. */
function checkExecutable(command: string, env: Record<string, string>, cwd: string): void {
  const candidates = command.includes('/') ? [path.resolve(cwd, command)] : (env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(path.resolve(cwd, dir), command));
  let found: string | undefined;
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) {
        found = file;
        accessSync(file, constants.X_OK);
        return;
      }
    } catch {
      // not here, or not executable: look on
    }
  }
  if (found) throw new TerminalError(`command "${command}" is not executable`);
  throw new TerminalError(`command "${command}" not found`);
}

/**
 * Starts one replica with stdout and stderr appended to its log file. Replicas are the workload
 * and outlive the server; they run outside its process tree: a shell starts `setsid -- command`
 * in the background, prints its pid and exits, so the replica leads its own session and process
 * group and its parent is init (or the nearest subreaper), not the server: /proc/$PPID/environ
 * names nobody's secrets. With `runAs` every process of the launch runs as that account (and
 * without supplementary groups). Without setsid(1) (not Linux) the replica is the server's
 * detached child. An executable that does not exist is a TerminalError.
 */
export async function launch(req: LaunchRequest): Promise<Launched> {
  try {
    if (!statSync(req.cwd).isDirectory()) throw new TerminalError(`cwd "${req.cwd}" is not a directory`);
  } catch (err) {
    if (err instanceof TerminalError) throw err;
    throw new TerminalError(`cwd "${req.cwd}" does not exist`);
  }
  checkExecutable(req.command, req.env, req.cwd);
  const logFd = openSync(req.logFile, 'a', 0o600);
  const ids = req.runAs ? { uid: req.runAs.uid, gid: req.runAs.gid } : {};
  let child: ChildProcess;
  try {
    child = SETSID
      ? spawn('/bin/sh', ['-c', `${SETSID} -- "$@" >&2 </dev/null & echo $!`, 'sh', req.command, ...req.args], { cwd: req.cwd, env: req.env, stdio: ['ignore', 'pipe', logFd], ...ids })
      : spawn(req.command, req.args, { cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', logFd, logFd], ...ids });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPERM') reject(new TerminalError(`could not start "${req.command}" as user ${req.runAs?.name}: ${err.message}`));
      else reject(new RetryableError(`could not start "${req.command}": ${err.message}`));
    });
  });
  if (!SETSID) {
    child.unref();
    const pid = child.pid as number;
    return { child, pid, procStartTicks: readProcStat(pid)?.startTicks ?? null };
  }
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  const pid = Number(out.trim());
  if (code !== 0 || !Number.isInteger(pid) || pid <= 1) throw new RetryableError(`could not start "${req.command}": the launching shell exited with ${code} (see the replica log)`);
  return { pid, procStartTicks: readProcStat(pid)?.startTicks ?? null };
}
