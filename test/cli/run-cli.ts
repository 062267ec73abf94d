import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliRun {
  /** Output so far (the process may still run). */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Waits until stdout matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  pid: number;
  /** Closes our end of its stdout, like a `| tee` that was stopped: its next write fails with EPIPE. */
  closeStdout(): void;
}

export interface CliOptions {
  /** Server URL (DRIFTLESS_URL); omit to leave it unset. */
  url?: string;
  /** DRIFTLESS_TOKEN; defaults to the test admin token, `null` leaves it unset. */
  token?: string | null;
  /** The user config dir (XDG_CONFIG_HOME); defaults to a fresh empty one so no real login leaks in. */
  configHome?: string;
  env?: Record<string, string>;
}

/** The real CLI from source in its own process, as a user runs it (non-TTY: pipes, no colours). */
export function startCli(args: string[], options: CliOptions = {}): CliRun {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DRIFTLESS_URL: options.url,
    DRIFTLESS_TOKEN: options.token === null ? undefined : (options.token ?? ADMIN_TOKEN),
    XDG_CONFIG_HOME: options.configHome ?? mkdtempSync(path.join(os.tmpdir(), 'driftless-cli-config-')),
    DRIFTLESS_PLUGIN_SOURCE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path.join(ROOT, 'server/cli/main.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout: out, stderr: err })));
  return {
    stdout: () => out,
    stderr: () => err,
    done,
    waitForOutput: async (pattern, timeoutMs = 20_000) => {
      await waitFor(async () => pattern.test(out) || child.exitCode !== null, `CLI output ${pattern}`, timeoutMs).catch((e: Error) => {
        throw new Error(`${e.message}\nstdout:\n${out}\nstderr:\n${err}`);
      });
      if (!pattern.test(out)) throw new Error(`CLI exited (${child.exitCode}) before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`);
    },
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    pid: child.pid!,
    closeStdout: () => child.stdout.destroy(),
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return startCli(args, options).done;
}

/** An expected failure: the exit code, and one line of error (plus an optional hint), never a stack trace. */
export function expectCleanFailure(result: { code: number | null; stderr: string }, code: number, message: RegExp): void {
  expect(result.stderr, result.stderr).toMatch(message);
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  const lines = result.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.slice(1).every((l) => l.startsWith('hint: ') || l.startsWith('  ') || l.startsWith('(run with --help'))).toBe(true);
}
