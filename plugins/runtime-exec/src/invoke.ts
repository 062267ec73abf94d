/**
 * One hook's command, start to finish: context file, environment, working directory, run, log,
 * clean up. Failures that are about the command rather than its exit code (missing, not
 * executable, timed out, aborted) become typed errors here; exit codes are the caller's to judge.
 */
import { stat } from 'node:fs/promises';
import { RetryableError, TerminalError, type InstanceIdentity, type PluginLogger, type TargetState } from '@driftless/plugin-sdk';
import { shortTail, type OutputCapture } from './capture.js';
import { prepareContext, type Hook } from './context.js';
import { runCommand } from './run.js';
import { describeCommand, resolveCwd, type Command, type ExecConfig, type ExecSpec } from './schema.js';

/** How much of the tail goes to the plugin logger (the worker caps a tick's log lines anyway). */
const LOG_TAIL_CHARS = 1_500;

export interface InvokeContext {
  config: ExecConfig | undefined;
  instance: InstanceIdentity;
  target?: TargetState;
  signal: AbortSignal;
  logger: PluginLogger;
  dataDir?: string;
}

export interface Exited {
  /** null when a signal we did not send ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  output: OutputCapture;
  /** `fetch command "plan.sh"`: how messages name the command. */
  label: string;
}

/** " (output: ...last lines...)" or "" when the command printed nothing. */
export function outputNote(output: OutputCapture): string {
  const tail = shortTail(output.tail);
  return tail ? ` (output: ${tail})` : '';
}

export async function invoke(hook: Hook, step: { command: Command; timeoutSeconds: number }, spec: ExecSpec, ctx: InvokeContext): Promise<Exited> {
  const label = `${hook} command "${describeCommand(step.command)}"`;
  const cwd = resolveCwd(ctx.config, spec);
  const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new TerminalError(`${label}: working directory ${cwd} does not exist`);
  ctx.signal.throwIfAborted();

  const prepared = await prepareContext(hook, { config: ctx.config, spec, instance: ctx.instance, ...(ctx.target ? { target: ctx.target } : {}), ...(ctx.dataDir ? { dataDir: ctx.dataDir } : {}) });
  let outcome;
  try {
    outcome = await runCommand({ command: step.command, cwd, env: prepared.env, timeoutMs: step.timeoutSeconds * 1000, signal: ctx.signal, secrets: prepared.secrets });
  } finally {
    await prepared.cleanup();
  }

  const { output } = outcome;
  const logData = { hook, command: describeCommand(step.command), durationMs: outcome.durationMs, tail: output.tail.slice(-LOG_TAIL_CHARS) };
  switch (outcome.kind) {
    case 'spawnFailed': {
      const file = Array.isArray(step.command) ? step.command[0] : '/bin/sh';
      const why = outcome.errno === 'ENOENT' ? `"${file}" not found (not on PATH, or no such file in ${cwd})` : outcome.errno === 'EACCES' ? `"${file}" is not executable` : `could not start: ${outcome.errno}`;
      throw new TerminalError(`${label}: ${why}`);
    }
    case 'timedOut':
      ctx.logger.warn(`${label} timed out`, logData);
      throw new RetryableError(`${label} did not finish within ${step.timeoutSeconds} s; its process group was killed${outputNote(output)}`);
    case 'aborted':
      ctx.logger.warn(`${label} aborted`, logData);
      throw new RetryableError(`${label} was stopped: the call was aborted${outputNote(output)}`);
    case 'exited':
      if (outcome.code === 127 && !Array.isArray(step.command)) {
        // /bin/sh's way of saying "command not found": retrying the same string cannot help.
        throw new TerminalError(`${label}: the shell could not find the command (exit 127)${outputNote(output)}`);
      }
      if (outcome.code === 0) ctx.logger.debug(`${label} exited 0`, logData);
      else ctx.logger.info(`${label} exited ${outcome.code ?? outcome.signal}`, { ...logData, exitCode: outcome.code, signal: outcome.signal });
      return { code: outcome.code, signal: outcome.signal, output, label };
  }
}

/** "exit 3" or "killed by SIGKILL". */
export function exitText(e: Exited): string {
  return e.code !== null ? `exit ${e.code}` : `killed by ${e.signal ?? 'a signal'}`;
}
