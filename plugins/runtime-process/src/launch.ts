import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { RetryableError, TerminalError } from '@driftless/plugin-sdk';
import { readProcStat } from './proc.js';

export interface LaunchRequest {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
}

export interface Launched {
  child: ChildProcess;
  pid: number;
  procStartTicks: number | null;
}

/** The environment a replica sees: deliberately not the server's whole environment. */
export function replicaEnv(parts: {
  targetEnv: Record<string, string>;
  specEnv: Record<string, string>;
  port: number;
  release: string;
  instanceId: string;
}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return {
    ...base,
    ...parts.targetEnv,
    ...parts.specEnv,
    PORT: String(parts.port),
    DRIFTLESS_RELEASE: parts.release,
    DRIFTLESS_INSTANCE: parts.instanceId,
  };
}

/**
 * Starts one replica detached (its own session and process group) with stdout and stderr appended
 * to its log file, and unref'd: replicas are the workload and must outlive the server. Resolves
 * once the OS started it; an executable that does not exist is a TerminalError.
 */
export async function launch(req: LaunchRequest): Promise<Launched> {
  try {
    if (!statSync(req.cwd).isDirectory()) throw new TerminalError(`cwd "${req.cwd}" is not a directory`);
  } catch (err) {
    if (err instanceof TerminalError) throw err;
    throw new TerminalError(`cwd "${req.cwd}" does not exist`);
  }
  const logFd = openSync(req.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(req.command, req.args, {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new TerminalError(`command "${req.command}" not found`));
      else if (err.code === 'EACCES') reject(new TerminalError(`command "${req.command}" is not executable`));
      else reject(new RetryableError(`could not start "${req.command}": ${err.message}`));
    });
  });
  child.unref();
  const pid = child.pid as number;
  return { child, pid, procStartTicks: readProcStat(pid)?.startTicks ?? null };
}
