// Contexts for calling the docker plugin's hooks directly, against the run's real Docker Engine
// (test/helpers/dockerd.ts), plus an engine-like loop to converge and a sweep that removes every
// container a test file created, whatever happened.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ApplyContext, ApplyResult, DeleteContext, FetchContext, InstanceIdentity, ObservedState, PluginLogger, TargetState } from '@driftless/plugin-sdk';
import { decide } from '../../../worker/decide.js';
import plugin from '../src/index.js';
import type { DockerRuntimeConfig } from '../src/config.js';
import { dockerForTests, type Dockerd } from '../../../test/helpers/dockerd.js';
import { WEB_IMAGE } from '../../../test/helpers/docker-images.js';

export { WEB_IMAGE };

export const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A label every container of one test file carries, so the file can sweep them all at the end. */
export const TEST_LABEL = 'org.driftless.test-file';

export interface Harness {
  daemon: Dockerd;
  docker: Docker;
  config: DockerRuntimeConfig;
  /** Removes every container of this test file (the safety net behind delete). */
  sweep(): Promise<void>;
}

export async function harness(extra: Partial<DockerRuntimeConfig> = {}): Promise<Harness> {
  const daemon = await dockerForTests();
  const tag = `plugin-${process.pid}-${randomBytes(3).toString('hex')}`;
  const config: DockerRuntimeConfig = { endpoint: daemon.endpoint, network: 'host', labels: { [TEST_LABEL]: tag }, ...extra };
  return {
    daemon,
    docker: daemon.docker,
    config,
    sweep: () => sweepLabel(daemon.docker, `${TEST_LABEL}=${tag}`),
  };
}

export async function sweepLabel(docker: Docker, label: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [label] }) });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

let next = 0;
export function instanceFor(service: string): InstanceIdentity {
  return { instanceId: `inst-${process.pid}-${++next}-${randomBytes(2).toString('hex')}`, application: 'shop', channel: 'staging', service, runtime: 'containers' };
}

/** The test web server (test/helpers/docker-images.ts) on the host network, checked over HTTP. */
export function webTarget(version: string, basePort: number, spec: Record<string, unknown> = {}, digest = `digest-${version}`): TargetState {
  return {
    releaseId: `rel-${version}`,
    version,
    params: { version },
    env: { CHANNEL: 'staging' },
    digest,
    spec: {
      image: version === 'v2' ? WEB_IMAGE.v2 : WEB_IMAGE.v1,
      pull: 'never',
      env: { VERSION: version },
      ports: [{ hostPort: basePort }],
      healthcheck: { http: { path: '/healthz' } },
      replicas: 2,
      startTimeoutSeconds: 10,
      stopTimeoutSeconds: 2,
      ...spec,
    },
  };
}

export function applyCtx(config: DockerRuntimeConfig, instance: InstanceIdentity, target: TargetState, signal = AbortSignal.timeout(60_000)): ApplyContext<DockerRuntimeConfig> {
  return { config, instance, target, signal, logger: quiet };
}

export function fetchCtx(config: DockerRuntimeConfig, instance: InstanceIdentity, target?: TargetState, signal = AbortSignal.timeout(10_000)): FetchContext<DockerRuntimeConfig> {
  return { config, instance, ...(target ? { target } : {}), signal, logger: quiet };
}

export function deleteCtx(config: DockerRuntimeConfig, instance: InstanceIdentity): DeleteContext<DockerRuntimeConfig> {
  return { config, instance, signal: AbortSignal.timeout(60_000), logger: quiet };
}

export const fetchState = (h: Harness, instance: InstanceIdentity, target?: TargetState) => plugin.fetch(fetchCtx(h.config, instance, target));
export const apply = (h: Harness, instance: InstanceIdentity, target: TargetState): Promise<ApplyResult | void> => plugin.apply(applyCtx(h.config, instance, target));

/** Like the engine: fetch, decide, apply while not converged. Returns the converged state and the apply messages. */
export async function converge(h: Harness, instance: InstanceIdentity, target: TargetState, timeoutMs = 45_000): Promise<{ state: ObservedState; messages: string[] }> {
  const began = Date.now();
  const messages: string[] = [];
  for (;;) {
    const state = await fetchState(h, instance, target);
    const decision = decide(state, target);
    if (decision.converged) return { state, messages };
    if (Date.now() - began > timeoutMs) throw new Error(`not converged on ${target.version} after ${timeoutMs} ms: ${JSON.stringify(decision.reasons)}; apply said: ${messages.join(' / ')}`);
    const result = await apply(h, instance, target);
    if (result?.message) messages.push(result.message);
    await new Promise((r) => setTimeout(r, Math.min(result?.recheckAfterMs ?? 200, 500)));
  }
}

export async function answer(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    return (await res.text()).trim();
  } catch {
    return undefined;
  }
}

/** The instance's containers as Docker lists them (all states). */
export async function containersOf(h: Harness, instance: InstanceIdentity): Promise<Docker.ContainerInfo[]> {
  return h.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`io.driftless.instance=${instance.instanceId}`] }) });
}
