/**
 * One replica's container, from the service template: name, env, ports for its slot, labels.
 * Pure. Replicas never collide: each has its own slot among all of the instance's containers (its
 * host ports are hostPort + slot), so a start-first rollout runs old and new side by side.
 */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { InstanceIdentity, TargetState } from '@driftless/plugin-sdk';
import { expectation } from './expect.js';
import { LABEL } from './labels.js';
import { portEnv, type ServiceTemplate, type TemplatePort } from './template.js';

export interface ReplicaInput {
  template: ServiceTemplate;
  target: Pick<TargetState, 'version' | 'digest'>;
  instance: InstanceIdentity;
  slot: number;
  /** Restarts carried over from the crashed replica this one replaces. */
  carriedRestarts: number;
  image: { id: string; env: string[] };
}

/** Docker names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
export function segment(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 40) || 'x';
}

/**
 * `<application>-<channel>-<service>-<slot>-<instance hash>`. One name per slot, on purpose: two
 * apply calls racing for a slot (one aborted while the Engine still creates its container) get a
 * name conflict instead of two containers on one port.
 */
export function containerName(instance: Pick<InstanceIdentity, 'instanceId' | 'application' | 'channel' | 'service'>, slot: number): string {
  const id = createHash('sha256').update(instance.instanceId).digest('hex').slice(0, 6);
  return `${segment(instance.application)}-${segment(instance.channel)}-${segment(instance.service)}-${slot}-${id}`;
}

/** The port the replica's process listens on inside its network namespace. */
export function listenPort(port: TemplatePort, network: string, slot: number): number {
  return network === 'host' ? port.hostPort + slot : port.containerPort;
}


/** The variables the plugin sets for one replica, on top of the template's env. */
export function replicaEnv(t: ServiceTemplate, target: Pick<TargetState, 'version'>, instance: InstanceIdentity, slot: number): Record<string, string> {
  const env: Record<string, string> = { ...t.env };
  t.ports.forEach((port, i) => {
    const listen = String(listenPort(port, t.network, slot));
    if (i === 0) env.PORT = listen;
    if (port.name) env[portEnv(port.name)] = listen;
  });
  env.DRIFTLESS_RELEASE = target.version;
  env.DRIFTLESS_INSTANCE = instance.instanceId;
  env.DRIFTLESS_REPLICA = String(slot);
  return env;
}

function healthConfig(t: ServiceTemplate): Docker.ContainerCreateOptions['Healthcheck'] | undefined {
  switch (t.health.kind) {
    case 'image':
      return undefined;
    case 'none':
    case 'http':
      // The plugin's own probe decides (or nothing does): switch off an image HEALTHCHECK.
      return { Test: ['NONE'] };
    case 'docker': {
      const h = t.health;
      return {
        Test: h.test,
        ...(h.intervalNs !== undefined ? { Interval: h.intervalNs } : {}),
        ...(h.timeoutNs !== undefined ? { Timeout: h.timeoutNs } : {}),
        ...(h.retries !== undefined ? { Retries: h.retries } : {}),
        ...(h.startPeriodNs !== undefined ? { StartPeriod: h.startPeriodNs } : {}),
      };
    }
  }
}

/** How this replica's readiness is judged, kept on the container so any release's replicas can be judged. */
export interface HealthLabel {
  /** The plugin's HTTP probe: host port and path. */
  http?: { port: number; path: string };
  startTimeoutSeconds: number;
}

export function healthLabel(t: ServiceTemplate, slot: number): HealthLabel {
  const http = t.health.kind === 'http' ? { port: t.ports[t.health.port]!.hostPort + slot, path: t.health.path } : undefined;
  return { ...(http ? { http } : {}), startTimeoutSeconds: t.startTimeoutSeconds };
}

export function createOptions({ template: t, target, instance, slot, carriedRestarts, image }: ReplicaInput): Docker.ContainerCreateOptions {
  const env = replicaEnv(t, target, instance, slot);
  const published = t.network !== 'host' && t.network !== 'none';
  const key = (port: TemplatePort) => `${port.containerPort}/${port.protocol}`;
  const restart = t.restart;
  const expect = expectation({
    imageId: image.id,
    imageEnv: image.env,
    env,
    ...(t.entrypoint ? { entrypoint: t.entrypoint } : {}),
    ...(t.cmd ? { cmd: t.cmd } : {}),
    ...(t.memoryBytes !== undefined ? { memory: t.memoryBytes } : {}),
    ...(t.nanoCpus !== undefined ? { nanoCpus: t.nanoCpus } : {}),
    restart,
    labels: t.labels,
    ...(t.user ? { user: t.user } : {}),
    ...(t.workingDir ? { workingDir: t.workingDir } : {}),
  });
  const health = healthConfig(t);
  return {
    name: containerName(instance, slot),
    // By id: the container runs exactly the image that was inspected, even if the tag moves now.
    Image: image.id,
    ...(t.entrypoint ? { Entrypoint: t.entrypoint } : {}),
    ...(t.cmd ? { Cmd: t.cmd } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...(t.user ? { User: t.user } : {}),
    ...(t.workingDir ? { WorkingDir: t.workingDir } : {}),
    ...(published && t.ports.length > 0 ? { ExposedPorts: Object.fromEntries(t.ports.map((port) => [key(port), {}])) } : {}),
    ...(health ? { Healthcheck: health } : {}),
    StopTimeout: Math.ceil(t.stopTimeoutSeconds),
    Labels: {
      ...t.labels,
      [LABEL.instance]: instance.instanceId,
      [LABEL.application]: instance.application,
      [LABEL.channel]: instance.channel,
      [LABEL.service]: instance.service,
      [LABEL.runtime]: instance.runtime,
      [LABEL.release]: target.version,
      [LABEL.digest]: target.digest,
      [LABEL.slot]: String(slot),
      [LABEL.restarts]: String(carriedRestarts),
      [LABEL.config]: t.hash,
      [LABEL.expect]: JSON.stringify(expect),
      [LABEL.health]: JSON.stringify(healthLabel(t, slot)),
    },
    HostConfig: {
      NetworkMode: t.network,
      ...(published && t.ports.length > 0
        ? { PortBindings: Object.fromEntries(t.ports.map((port) => [key(port), [{ HostIp: port.hostIp ?? '', HostPort: String(port.hostPort + slot) }]])) }
        : {}),
      ...(t.mounts.length > 0
        ? { Mounts: t.mounts.map((m) => ({ Type: m.type, Target: m.target, ReadOnly: m.readOnly, Source: m.source ?? '' })) }
        : {}),
      ...(t.memoryBytes !== undefined ? { Memory: t.memoryBytes } : {}),
      ...(t.nanoCpus !== undefined ? { NanoCpus: t.nanoCpus } : {}),
      RestartPolicy: { Name: restart },
      ...(t.init ? { Init: true } : {}),
    },
  };
}
