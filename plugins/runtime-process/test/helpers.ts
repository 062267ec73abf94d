// Hand-made contexts and an engine-like loop, so tests call the plugin's hooks like the worker does.
// No vitest imports here: test/fixtures/converge.ts runs this file in a separate Node process.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplyContext, ObservedState, PluginLogger, TargetState } from '@driftless/plugin-sdk';
import plugin from '../src/index.js';
import { instanceDir, readRecords, type ReplicaRecord } from '../src/records.js';

export const HELLO_APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/hello/app');

export const instance = { instanceId: 'inst-1', application: 'shop', channel: 'staging', service: 'web', runtime: 'local' };

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface TargetOptions {
  replicas?: number;
  basePort?: number;
  digest?: string;
  spec?: Record<string, unknown>;
}

/** A release of the hello app; `digest` defaults to one per version. */
export function helloTarget(version: string, opts: TargetOptions = {}): TargetState {
  return {
    releaseId: `rel-${version}`,
    version,
    params: { version },
    env: { CHANNEL: 'staging' },
    digest: opts.digest ?? `digest-${version}`,
    spec: {
      command: process.execPath,
      args: ['server.js'],
      cwd: HELLO_APP,
      env: { VERSION: version },
      replicas: opts.replicas ?? 1,
      healthCheck: { path: '/healthz', timeoutSeconds: 10 },
      ...(opts.basePort !== undefined ? { basePort: opts.basePort } : {}),
      ...opts.spec,
    },
  };
}

export function ctx(stateDir: string, target: TargetState, signal = AbortSignal.timeout(30_000)): ApplyContext {
  return { config: { stateDir }, instance, target, signal, logger: quiet };
}

export function fetchCtx(stateDir: string, target?: TargetState) {
  return { config: { stateDir }, instance, ...(target ? { target } : {}), signal: AbortSignal.timeout(5_000), logger: quiet };
}

/** The engine's definition of converged (DESIGN.md "Convergence status"). */
export function isConverged(state: ObservedState, target: TargetState): boolean {
  const wanted = (target.spec.replicas as number | undefined) ?? 1;
  return (
    state.objects.length > 0 &&
    state.objects.every((o) => {
      const active = o.versions.filter((v) => v.active);
      return (
        o.status === 'SUCCEEDED' &&
        active.length === 1 &&
        active[0]!.version === target.version &&
        active[0]!.availableReplicas === wanted &&
        o.versions.every((v) => !v.drifted)
      );
    })
  );
}

/** fetch → apply until fetch says converged, like the engine's ticks. Returns the apply messages. */
export async function converge(stateDir: string, target: TargetState, afterApply?: () => Promise<void>): Promise<string[]> {
  const messages: string[] = [];
  for (let tick = 0; tick < 30; tick++) {
    const state = await plugin.fetch(fetchCtx(stateDir, target));
    if (isConverged(state, target)) return messages;
    const result = await plugin.apply(ctx(stateDir, target));
    messages.push(result?.message ?? '');
    await afterApply?.();
  }
  throw new Error(`not converged after 30 ticks: ${messages.join(' / ')}`);
}

export function records(stateDir: string): Promise<ReplicaRecord[]> {
  return readRecords(instanceDir(stateDir, instance));
}

/** GET http://127.0.0.1:port/path → body, or undefined when nothing answers. */
export function httpGet(port: number, urlPath = '/'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : undefined));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
  });
}
