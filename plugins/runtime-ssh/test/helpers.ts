// Contexts for calling the ssh plugin's hooks directly, against real sshd (test/helpers/sshd.ts).
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplyContext, FetchContext, ObservedState, PluginLogger, TargetState } from '@driftless/plugin-sdk';
import plugin from '../src/index.js';
import type { SshRuntimeConfig } from '../src/parse.js';
import type { SshFleet } from '../../../test/helpers/sshd.js';

export const HELLO_SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/hello/app/server.js');

export const instance = { instanceId: 'inst-ssh', application: 'shop', channel: 'staging', service: 'web', runtime: 'fleet' };

export const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Runtime config for a fleet: each host gets its own PORT (they all share this machine's loopback). */
export function fleetConfig(fleet: SshFleet, ports: number[], extra: Partial<SshRuntimeConfig> = {}): SshRuntimeConfig {
  return {
    hosts: fleet.hostConfigs((i) => ({ env: { PORT: String(ports[i]) }, labels: { zone: i % 2 === 0 ? 'even' : 'odd' } })) as SshRuntimeConfig['hosts'],
    user: fleet.user,
    privateKey: fleet.privateKey,
    knownHosts: fleet.hosts.map((h) => h.knownHostsLine).join('\n'),
    connectTimeoutSeconds: 5,
    ...extra,
  };
}

/** A release of the hello app: server.js uploaded, started with node, checked over HTTP. */
export function helloTarget(version: string, spec: Record<string, unknown> = {}, digest = `digest-${version}`): TargetState {
  return {
    releaseId: `rel-${version}`,
    version,
    params: { version },
    env: { CHANNEL: 'staging' },
    digest,
    spec: {
      files: [{ path: 'server.js', source: HELLO_SERVER }, { path: 'bin/hello.sh', content: '#!/bin/sh\necho hi\n', mode: '0755' }],
      start: `${process.execPath} server.js`,
      env: { VERSION: version },
      healthCheck: { http: { port: '$PORT', path: '/healthz' }, timeoutSeconds: 10 },
      maxUnavailable: 1,
      ...spec,
    },
  };
}

export function applyCtx(config: SshRuntimeConfig, target: TargetState, signal = AbortSignal.timeout(30_000)): ApplyContext<SshRuntimeConfig> {
  return { config, instance, target, signal, logger: quiet };
}

export function fetchCtx(config: SshRuntimeConfig, target?: TargetState, signal = AbortSignal.timeout(10_000)): FetchContext<SshRuntimeConfig> {
  return { config, instance, ...(target ? { target } : {}), signal, logger: quiet };
}

/** The engine's definition of converged (DESIGN.md "Convergence status"). */
export function isConverged(state: ObservedState, target: TargetState): boolean {
  return (
    state.objects.length > 0 &&
    state.objects.every((o) => {
      const active = o.versions.filter((v) => v.active);
      return o.status === 'SUCCEEDED' && active.length === 1 && active[0]!.version === target.version && o.versions.every((v) => !v.drifted);
    })
  );
}

/** fetch → apply until fetch says converged, like the engine's ticks. Returns the apply messages. */
export async function converge(config: SshRuntimeConfig, target: TargetState, afterApply?: (state: ObservedState) => Promise<void> | void): Promise<string[]> {
  const messages: string[] = [];
  for (let tick = 0; tick < 20; tick++) {
    const state = await plugin.fetch(fetchCtx(config, target));
    if (isConverged(state, target)) return messages;
    const result = await plugin.apply(applyCtx(config, target));
    messages.push(result?.message ?? '');
    if (afterApply) await afterApply(await plugin.fetch(fetchCtx(config, target)));
  }
  throw new Error(`not converged after 20 ticks: ${messages.join(' / ')}`);
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
