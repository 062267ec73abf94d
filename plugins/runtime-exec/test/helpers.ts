// Hand-made contexts, so tests call the plugin's hooks the way the worker does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApplyContext, FetchContext, PluginLogger, TargetState } from '@driftless/plugin-sdk';
import type { ExecConfig } from '../src/schema.js';

export const instance = { instanceId: 'inst-7', application: 'infra', channel: 'staging', service: 'network', runtime: 'tf' };

/** A logger that keeps what it is told, to check that secrets never reach it. */
export function recordingLogger(): PluginLogger & { text(): string } {
  const lines: string[] = [];
  const log = (level: string) => (msg: string, data?: Record<string, unknown>) => void lines.push(`${level} ${msg} ${JSON.stringify(data ?? {})}`);
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), text: () => lines.join('\n') };
}

export function target(spec: Record<string, unknown>, version = 'rel-1'): TargetState {
  return {
    releaseId: `id-${version}`,
    version,
    params: { version: 'v1', 'db-size': 20 },
    spec,
    env: { CHANNEL_ENV: 'from-channel' },
    digest: `digest-${version}`,
  };
}

export interface Sandbox {
  dir: string;
  dataDir: string;
  config: ExecConfig;
  fetchCtx(spec: Record<string, unknown>, opts?: { signal?: AbortSignal; version?: string }): FetchContext<ExecConfig>;
  applyCtx(spec: Record<string, unknown>, opts?: { signal?: AbortSignal; version?: string }): ApplyContext<ExecConfig>;
  logger: ReturnType<typeof recordingLogger>;
  [Symbol.dispose](): void;
}

/** A temp workdir (commands run there) and data dir, removed on dispose. */
export function sandbox(config: Partial<ExecConfig> = {}): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exec-plugin-'));
  const dataDir = path.join(dir, 'data');
  const full: ExecConfig = { workdir: dir, ...config };
  const logger = recordingLogger();
  const base = (signal?: AbortSignal) => ({ config: full, instance, signal: signal ?? AbortSignal.timeout(20_000), logger, dataDir });
  return {
    dir,
    dataDir,
    config: full,
    logger,
    fetchCtx: (spec, opts = {}) => ({ ...base(opts.signal), target: target(spec, opts.version) }),
    applyCtx: (spec, opts = {}) => ({ ...base(opts.signal), target: target(spec, opts.version) }),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True when the pid is gone or a zombie (orphans are reaped slowly here: kill -0 would lie). */
export function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** Awaits a rejection and returns the error (fails when the promise resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string };
  }
  throw new Error('expected a rejection');
}
