/**
 * An instance's containers as the Engine reports them right now: the ones Driftless created for it
 * (found by the `io.driftless.instance` label) and, when adopting, the ones the adopt selector
 * matches that no Driftless instance owns. Reads only: safe for fetch.
 */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { InstanceIdentity } from '@driftless/plugin-sdk';
import { engine, engineStatus } from './client.js';
import type { DockerConfig } from './config.js';
import type { HealthLabel } from './container-options.js';
import { envMap, parseExpectation, type Actual, type Expectation } from './expect.js';
import { COMPOSE_LABEL, LABEL } from './labels.js';

export interface ContainerView {
  id: string;
  /** Without the leading "/". */
  name: string;
  /** Created by Driftless for this instance (false: adopted). */
  managed: boolean;
  /** Adopted and already taken over (renamed with the instance's marker). */
  takenOver: boolean;
  labels: Record<string, string>;
  /** Managed: the release it was created for. */
  version?: string;
  digest?: string;
  slot?: number;
  configHash?: string;
  /** Restarts carried over from replicas it replaced after a crash (label), plus Docker's own count. */
  carriedRestarts: number;
  restartCount: number;
  expect?: Expectation;
  health?: HealthLabel;
  actual: Actual;
  state: string;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Docker's HEALTHCHECK state, when the container has one. */
  dockerHealth?: { status: string; lastOutput?: string };
  network: string;
  /** How long Docker waits after the stop signal before SIGKILL (its StopTimeout, default 10). */
  stopTimeoutSeconds: number;
  /** Published host ports by container port ("8080/tcp" → 18080). */
  published: Record<string, number>;
}

const time = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) && t > 0 ? t : undefined;
};

function json<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function toView(info: Docker.ContainerInspectInfo, instanceId: string): ContainerView {
  const labels = info.Config.Labels ?? {};
  const managed = labels[LABEL.instance] === instanceId;
  const slot = Number(labels[LABEL.slot]);
  const carried = Number(labels[LABEL.restarts]);
  const s = info.State as Docker.ContainerInspectInfo['State'] & { Health?: { Status: string; Log?: Array<{ Output?: string }> } };
  const lastLog = s.Health?.Log?.at(-1)?.Output?.trim();
  const published: Record<string, number> = {};
  for (const [key, bindings] of Object.entries(info.HostConfig.PortBindings ?? {})) {
    const port = Number((bindings as Array<{ HostPort?: string }> | null)?.[0]?.HostPort);
    if (port > 0) published[key] = port;
  }
  const expect = managed ? parseExpectation(labels[LABEL.expect]) : undefined;
  const health = managed ? json<HealthLabel>(labels[LABEL.health]) : undefined;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    managed,
    takenOver: !managed && info.Name.includes(adoptedMarker(instanceId)),
    labels,
    ...(managed && labels[LABEL.release] ? { version: labels[LABEL.release] } : {}),
    ...(managed && labels[LABEL.digest] ? { digest: labels[LABEL.digest] } : {}),
    ...(managed && Number.isInteger(slot) && slot >= 0 ? { slot } : {}),
    ...(managed && labels[LABEL.config] ? { configHash: labels[LABEL.config] } : {}),
    carriedRestarts: managed && Number.isInteger(carried) && carried > 0 ? carried : 0,
    restartCount: info.RestartCount ?? 0,
    ...(expect ? { expect } : {}),
    ...(health ? { health } : {}),
    actual: {
      image: info.Image,
      env: info.Config.Env,
      entrypoint: (info.Config.Entrypoint as string[] | null) ?? null,
      cmd: info.Config.Cmd ?? null,
      memory: info.HostConfig.Memory ?? 0,
      nanoCpus: info.HostConfig.NanoCpus ?? 0,
      restart: info.HostConfig.RestartPolicy?.Name || 'no',
      labels,
      user: info.Config.User ?? '',
      workingDir: info.Config.WorkingDir ?? '',
    },
    state: s.Status,
    exitCode: s.ExitCode,
    oomKilled: s.OOMKilled,
    error: s.Error ?? '',
    createdAt: time(info.Created) ?? 0,
    ...(time(s.StartedAt) ? { startedAt: time(s.StartedAt)! } : {}),
    ...(time(s.FinishedAt) ? { finishedAt: time(s.FinishedAt)! } : {}),
    ...(s.Health ? { dockerHealth: { status: s.Health.Status, ...(lastLog ? { lastOutput: lastLog } : {}) } } : {}),
    network: info.HostConfig.NetworkMode ?? '',
    stopTimeoutSeconds: (info.Config as { StopTimeout?: number }).StopTimeout ?? 10,
    published,
  };
}

function labelFilter(labels: Record<string, string>): string {
  return JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
}

/**
 * The name marker of containers an instance adopted. Docker cannot add labels to an existing
 * container, so apply renames what it takes over to `<app>-<channel>-<service>-adopted-<marker>-<id>`;
 * fetch and delete find them by it even without the adopt selector.
 */
export function adoptedMarker(instanceId: string): string {
  return `adopted-${createHash('sha256').update(instanceId).digest('hex').slice(0, 10)}`;
}

/**
 * Every container of the instance, oldest first: Driftless's own, the ones it adopted (renamed
 * with its marker), and, with an adopt selector, matching containers no Driftless instance owns
 * yet (compose one-off `run` containers excluded).
 */
export async function listInstance(
  docker: Docker,
  config: DockerConfig,
  instance: Pick<InstanceIdentity, 'instanceId'>,
  adopt: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<ContainerView[]> {
  const list = (filters: string) =>
    engine('listing containers', config, signal, (s) => docker.listContainers({ all: true, filters, abortSignal: s } as Docker.ContainerListOptions));
  const marker = adoptedMarker(instance.instanceId);
  const [own, taken, candidates] = await Promise.all([
    list(JSON.stringify({ label: [`${LABEL.instance}=${instance.instanceId}`] })),
    list(JSON.stringify({ name: [marker] })),
    adopt ? list(labelFilter(adopt)) : Promise.resolve([]),
  ]);
  const unowned = (c: Docker.ContainerInfo) => c.Labels?.[LABEL.instance] === undefined && c.Labels?.[COMPOSE_LABEL.oneoff] !== 'True';
  // Another instance's adopted containers carry its marker: never take those.
  const free = candidates.filter((c) => unowned(c) && !c.Names.some((n) => /-adopted-[0-9a-f]{10}-/.test(n) && !n.includes(marker)));
  const ids = [...new Set([...own, ...taken.filter(unowned), ...free].map((c) => c.Id))];
  const infos = await Promise.all(
    ids.map(async (id) => {
      try {
        return await engine(`inspecting container ${id.slice(0, 12)}`, config, signal, (s) => docker.getContainer(id).inspect({ abortSignal: s } as object));
      } catch (err) {
        // Removed between the list and the inspect: it is not there any more.
        if (engineStatus(err) === 404) return undefined;
        throw err;
      }
    }),
  );
  return infos
    .filter((i): i is Docker.ContainerInspectInfo => i !== undefined)
    .map((i) => toView(i, instance.instanceId))
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}
