/**
 * Runs one user command to completion under a time limit and the tick's AbortSignal.
 *
 * The command gets its own process group (detached), so a time-out or an abort ends everything it
 * started (`terraform` and its providers, `sh -c` and its children): SIGTERM to the group, SIGKILL
 * after a grace period. Never throws for the command's own failures: the caller decides what an
 * exit code means. Output goes through OutputCapture (size-capped, secrets scrubbed).
 */
import { spawn } from 'node:child_process';
import { OutputCapture } from './capture.js';
import type { Command } from './schema.js';

export const KILL_GRACE_MS = 2_000;
/** After the command exits, how long its stdio may stay open (a background child holding it). */
const STDIO_LINGER_MS = 500;

export interface RunOptions {
  command: Command;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Values to scrub from the captured output. */
  secrets: Iterable<string>;
  killGraceMs?: number;
}

export type RunOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; output: OutputCapture; durationMs: number }
  /** Killed by us: the time limit passed or the signal aborted. */
  | { kind: 'timedOut' | 'aborted'; output: OutputCapture; durationMs: number }
  /** Could not start at all (ENOENT: no such command, EACCES: not executable). */
  | { kind: 'spawnFailed'; errno: string; output: OutputCapture; durationMs: number };

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

export function runCommand(opts: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const output = new OutputCapture(opts.secrets);
  const [file, args] = Array.isArray(opts.command) ? [opts.command[0]!, opts.command.slice(1)] : ['/bin/sh', ['-c', opts.command]];
  if (opts.signal.aborted) return Promise.resolve({ kind: 'aborted', output, durationMs: 0 });

  return new Promise<RunOutcome>((resolve) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let killedFor: 'timedOut' | 'aborted' | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let lingerTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      clearTimeout(killTimer);
      clearTimeout(lingerTimer);
      opts.signal.removeEventListener('abort', onAbort);
      // Whatever a lingering pipe still delivers arrives after the verdict: keep the capture final.
      child.stdout.removeAllListeners('data');
      child.stderr.removeAllListeners('data');
      output.end();
      resolve(outcome);
    };
    const kill = (why: 'timedOut' | 'aborted') => {
      if (killedFor || settled || child.pid === undefined) return;
      killedFor = why;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), opts.killGraceMs ?? KILL_GRACE_MS);
    };
    const onAbort = () => kill('aborted');
    const limit = setTimeout(() => kill('timedOut'), Math.max(0, opts.timeoutMs));
    opts.signal.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8').on('data', (c: string) => output.write('stdout', c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => output.write('stderr', c));
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Only spawn failures arrive here before 'exit'; there is no process (group) to kill.
      if (child.pid === undefined) finish({ kind: 'spawnFailed', errno: err.code ?? err.message, output, durationMs: Date.now() - started });
    });
    const conclude = () => {
      if (!exit) return;
      const durationMs = Date.now() - started;
      if (killedFor) {
        // The leader is gone; sweep what is left of its group before saying it is over.
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        finish({ kind: killedFor, output, durationMs });
      } else {
        finish({ kind: 'exited', code: exit.code, signal: exit.signal, output, durationMs });
      }
    };
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // A grandchild may hold stdout open forever (a daemon started without redirecting it):
      // give the pipes a moment to drain, then stop waiting for them.
      lingerTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        conclude();
      }, STDIO_LINGER_MS);
    });
    child.once('close', conclude);
  });
}
