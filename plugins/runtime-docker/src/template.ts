/**
 * The service template: what every replica of one release looks like, after the compose service
 * (if any), the spec on top of it, the target env and the runtime's defaults are merged and every
 * rule is checked. Pure except for reading the compose file. Per-replica details (slot, ports,
 * name) are added by container-options.ts.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DockerConfig } from './config.js';
import { loadCompose } from './compose/load.js';
import { readSpecFields, type HealthFields, type PullPolicy, type RestartPolicy, type SpecFields, type UpdateOrder } from './fields.js';
import { COMPOSE_LABEL, isDriftlessLabel } from './labels.js';
import { Problems } from './problems.js';
import { DEFAULT_START_TIMEOUT_SECONDS, DEFAULT_STOP_TIMEOUT_SECONDS } from './schema.js';
import { durationNs, sizeBytes } from './units.js';

export interface TemplatePort {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp?: string;
  name?: string;
}

export interface TemplateMount {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly: boolean;
}

export type Health =
  /** Whatever HEALTHCHECK the image defines (none: a running container counts as healthy). */
  | { kind: 'image' }
  | { kind: 'none' }
  | { kind: 'docker'; test: string[]; intervalNs?: number; timeoutNs?: number; retries?: number; startPeriodNs?: number }
  /** The plugin GETs path on ports[port] (the replica's host port) and wants a 2xx. */
  | { kind: 'http'; path: string; port: number };

export interface ServiceTemplate {
  image: string;
  pull: PullPolicy;
  /** ENTRYPOINT override (spec `command`, compose `entrypoint`). */
  entrypoint?: string[];
  /** CMD override (spec `args`, compose `command`). */
  cmd?: string[];
  /** Without the per-replica variables (PORT, DRIFTLESS_*). */
  env: Record<string, string>;
  ports: TemplatePort[];
  network: string;
  mounts: TemplateMount[];
  nanoCpus?: number;
  memoryBytes?: number;
  /** The user's labels (runtime config, compose, spec), without Driftless's own. */
  labels: Record<string, string>;
  health: Health;
  replicas: number;
  update: { order: UpdateOrder; maxSurge: number; maxUnavailable: number };
  restart: RestartPolicy;
  stopTimeoutSeconds: number;
  startTimeoutSeconds: number;
  user?: string;
  workingDir?: string;
  init?: boolean;
  /** Containers to take over instead of starting duplicates (label selector), when adopting. */
  adopt?: Record<string, string>;
  /** "spec" or `compose service "web" of docker-compose.yml`: for messages. */
  origin: string;
  /** Hash of everything above that shapes a container (and the compose file's text). */
  hash: string;
}

/** The variables the plugin sets per replica; they differ between replicas, so comparisons skip them. */
export const REPLICA_ENV = ['PORT', 'DRIFTLESS_RELEASE', 'DRIFTLESS_INSTANCE', 'DRIFTLESS_REPLICA'];

/** `PORT_<NAME>` for a named port ("admin-api" → PORT_ADMIN_API). */
export function portEnv(name: string): string {
  return `PORT_${name.toUpperCase().replace(/-/g, '_')}`;
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

function merge(compose: SpecFields, spec: SpecFields): SpecFields {
  const out: SpecFields = { ...compose, ...spec };
  if (compose.env || spec.env) out.env = { ...compose.env, ...spec.env };
  if (compose.labels || spec.labels) out.labels = { ...compose.labels, ...spec.labels };
  return out;
}

function ports(f: SpecFields, network: string, slots: number, p: Problems): TemplatePort[] {
  const list = f.ports ?? [];
  if (list.length > 0 && network === 'none') p.add('/ports', 'a container on the "none" network has no ports to publish');
  const out = list.map((port, i): TemplatePort => {
    const at = `/ports/${i}`;
    if (network === 'host') {
      if (port.containerPort !== undefined && port.containerPort !== port.hostPort) {
        p.add(`${at}/containerPort`, `on the host network a container listens on its host port itself (${port.hostPort} + replica slot); containerPort ${port.containerPort} cannot be remapped`);
      }
      if (port.hostIp !== undefined) p.add(`${at}/hostIp`, 'on the host network the container binds addresses itself; remove hostIp');
    }
    if (port.hostPort + slots - 1 > 65535) p.add(`${at}/hostPort`, `${port.hostPort} + ${slots} replica slots exceeds 65535`);
    return {
      hostPort: port.hostPort,
      containerPort: port.containerPort ?? port.hostPort,
      protocol: port.protocol ?? 'tcp',
      ...(port.hostIp ? { hostIp: port.hostIp } : {}),
      ...(port.name ? { name: port.name } : {}),
    };
  });
  // Each entry takes `slots` consecutive host ports (one per replica slot): ranges must not overlap.
  out.forEach((a, i) =>
    out.slice(i + 1).forEach((b, j) => {
      if (a.protocol === b.protocol && a.hostPort < b.hostPort + slots && b.hostPort < a.hostPort + slots) {
        p.add(`/ports/${i + j + 1}/hostPort`, `host ports ${b.hostPort}-${b.hostPort + slots - 1} overlap ports[${i}]'s ${a.hostPort}-${a.hostPort + slots - 1} (each entry takes one port per replica slot: replicas + maxSurge)`);
      }
    }),
  );
  const names = out.map((port) => port.name).filter(Boolean);
  if (new Set(names).size !== names.length) p.add('/ports', 'port names must be unique');
  return out;
}

function health(h: HealthFields | undefined, ports: TemplatePort[], p: Problems): Health {
  if (!h) return { kind: 'image' };
  const given = [h.test !== undefined, h.http !== undefined, h.disable === true].filter(Boolean).length;
  if (given > 1) p.add('/healthcheck', 'give one of test (Docker runs it), http (the plugin probes) or disable');
  if (h.disable) return { kind: 'none' };
  const ns = (key: 'interval' | 'timeout' | 'startPeriod') => {
    const v = h[key];
    if (v === undefined) return undefined;
    const n = durationNs(v);
    if (n === undefined) p.add(`/healthcheck/${key}`, `"${v}" is not a duration like "5s" or "1m30s"`);
    return n;
  };
  const timing = { intervalNs: ns('interval'), timeoutNs: ns('timeout'), startPeriodNs: ns('startPeriod') };
  if (h.http) {
    const want = h.http.port;
    const index = want === undefined ? 0 : ports.findIndex((port) => (typeof want === 'string' ? port.name === want : port.containerPort === want || port.hostPort === want));
    if (ports.length === 0) p.add('/healthcheck/http', 'needs a port to probe: add one under ports');
    else if (index < 0) p.add('/healthcheck/http/port', `${JSON.stringify(want)} names none of the ports`);
    if (h.test === undefined && (timing.intervalNs ?? timing.timeoutNs ?? timing.startPeriodNs ?? h.retries) !== undefined) {
      p.add('/healthcheck', 'interval, timeout, retries and startPeriod are Docker HEALTHCHECK settings; the http probe uses startTimeoutSeconds');
    }
    return { kind: 'http', path: h.http.path ?? '/', port: Math.max(0, index) };
  }
  if (h.test !== undefined) {
    let test: string[];
    if (typeof h.test === 'string') test = ['CMD-SHELL', h.test];
    else if (h.test[0] === 'CMD' || h.test[0] === 'CMD-SHELL') test = [...h.test];
    else if (h.test[0] === 'NONE') return { kind: 'none' };
    else test = ['CMD', ...h.test];
    if (test.length < 2) p.add('/healthcheck/test', `${test[0]} needs a command after it`);
    return { kind: 'docker', test, ...Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined)), ...(h.retries !== undefined ? { retries: h.retries } : {}) };
  }
  return { kind: 'image' };
}

function mounts(f: SpecFields, fromCompose: boolean, cwd: string, p: Problems): TemplateMount[] {
  return (f.volumes ?? []).map((v, i): TemplateMount => {
    const at = `/volumes/${i}`;
    const looksLikePath = v.source !== undefined && /^[./~]/.test(v.source);
    const type = v.type ?? (v.source === undefined ? 'volume' : looksLikePath ? 'bind' : 'volume');
    if (type === 'bind' && !v.source) p.add(`${at}/source`, 'a bind mount needs a host path');
    if (type === 'tmpfs' && v.source) p.add(`${at}/source`, 'a tmpfs mount has no source');
    if (type === 'volume' && v.source && looksLikePath) p.add(`${at}/source`, `"${v.source}" is a path: use type bind`);
    // Compose paths were resolved against the compose file's directory already.
    const source = type === 'bind' && v.source && !fromCompose ? path.resolve(cwd, v.source) : v.source;
    return { type, target: v.target, readOnly: v.readOnly === true, ...(source ? { source } : {}) };
  });
}

export interface TemplateInput {
  spec: Record<string, unknown>;
  /** TargetState.env (channel and service env); the spec's own env wins over it. */
  env?: Record<string, string>;
  config: Pick<DockerConfig, 'network' | 'labels'>;
  cwd?: string;
}

/** The template, or every problem found (SpecError, terminal). */
export function buildTemplate({ spec, env = {}, config, cwd = process.cwd() }: TemplateInput): ServiceTemplate {
  const p = new Problems();
  const own = readSpecFields(spec, p);
  const compose = own.compose ? loadCompose(own.compose, p, cwd) : undefined;
  const f = merge(compose?.fields ?? {}, own);
  // A compose service that did not load was reported already; its image is not the problem then.
  if (!f.image && (!own.compose || compose)) p.add('/image', compose ? `is required: ${compose.origin} names no image` : 'is required');

  const order = f.update?.order ?? 'start-first';
  const maxSurge = f.update?.maxSurge ?? (order === 'start-first' ? 1 : 0);
  const maxUnavailable = f.update?.maxUnavailable ?? (order === 'start-first' ? 0 : 1);
  if (order === 'start-first' && maxSurge === 0) p.add('/update/maxSurge', 'start-first needs maxSurge >= 1: a new replica starts before an old one stops');
  if (order === 'stop-first' && maxUnavailable === 0) p.add('/update/maxUnavailable', 'stop-first needs maxUnavailable >= 1: an old replica stops before its replacement starts');
  const replicas = f.replicas ?? 1;
  const network = f.network ?? config.network ?? 'bridge';
  const templatePorts = ports(f, network, replicas + maxSurge, p);

  // The plugin sets PORT (when there are ports), PORT_<NAME> and DRIFTLESS_* for each replica. A
  // compose file's own PORT means the same thing and gives way; Driftless's env must not set them.
  const reserved = (name: string) =>
    name.startsWith('DRIFTLESS_') || (templatePorts.length > 0 && (name === 'PORT' || templatePorts.some((port) => port.name && portEnv(port.name) === name)));
  const composeEnv = Object.fromEntries(Object.entries(compose?.fields.env ?? {}).filter(([name]) => !reserved(name)));
  const driftlessEnv = { ...env, ...(own.env ?? {}) };
  for (const name of Object.keys(driftlessEnv)) if (reserved(name)) p.add(`/env/${name}`, 'is set by the plugin for each replica; do not set it');
  const mergedEnv = { ...composeEnv, ...driftlessEnv };

  const labels = { ...config.labels, ...(f.labels ?? {}) };
  for (const name of Object.keys(labels)) if (isDriftlessLabel(name)) p.add(`/labels/${name}`, 'io.driftless.* labels are the plugin\'s own');

  let memoryBytes: number | undefined;
  if (f.resources?.memory !== undefined) {
    memoryBytes = sizeBytes(f.resources.memory);
    if (memoryBytes === undefined) p.add('/resources/memory', `"${f.resources.memory}" is not a size like "256m" or "1g"`);
    else if (memoryBytes < 6 * 1024 * 1024) p.add('/resources/memory', 'Docker needs at least 6 MiB');
  }
  const cpus = f.resources?.cpus;
  if (cpus !== undefined && !(cpus > 0)) p.add('/resources/cpus', 'must be a positive number of CPUs');

  let adopt: Record<string, string> | undefined;
  if (own.adopt === true) {
    if (!compose) p.add('/adopt', own.compose ? 'needs a readable compose service' : 'adopt: true takes over a compose service\'s containers: give compose, or adopt: { labels: {...} }');
    else adopt = { [COMPOSE_LABEL.project]: compose.project, [COMPOSE_LABEL.service]: own.compose!.service };
  } else if (typeof own.adopt === 'object') adopt = { ...own.adopt.labels };

  const templateHealth = health(f.healthcheck, templatePorts, p);
  p.check();

  const shape = {
    image: f.image!,
    ...(f.command ? { entrypoint: f.command } : {}),
    ...(f.args ? { cmd: f.args } : {}),
    env: mergedEnv,
    ports: templatePorts,
    network,
    mounts: mounts(f, own.volumes === undefined && compose?.fields.volumes !== undefined, cwd, p),
    ...(cpus !== undefined ? { nanoCpus: Math.round(cpus * 1e9) } : {}),
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    labels,
    health: templateHealth,
    restart: f.restart ?? 'no',
    stopTimeoutSeconds: f.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS,
    ...(f.user ? { user: f.user } : {}),
    ...(f.workingDir ? { workingDir: f.workingDir } : {}),
    ...(f.init ? { init: true } : {}),
  };
  p.check();
  return {
    ...shape,
    pull: f.pull ?? 'missing',
    replicas,
    update: { order, maxSurge, maxUnavailable },
    startTimeoutSeconds: f.startTimeoutSeconds ?? DEFAULT_START_TIMEOUT_SECONDS,
    ...(adopt ? { adopt } : {}),
    origin: compose?.origin ?? 'spec',
    hash: hash({ shape, compose: compose?.fingerprint }),
  };
}
