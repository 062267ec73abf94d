/**
 * The spec as written (or as a compose service says it), checked field by field. The host
 * validated the spec against specSchema already, but a plugin must not trust that: every field is
 * re-checked here and each problem recorded with its path.
 */
import type { Problems } from './problems.js';

export type PullPolicy = 'never' | 'missing' | 'always';
export type RestartPolicy = 'no' | 'on-failure' | 'always' | 'unless-stopped';
export type UpdateOrder = 'start-first' | 'stop-first';

export interface PortFields {
  hostPort: number;
  containerPort?: number;
  protocol?: 'tcp' | 'udp';
  hostIp?: string;
  name?: string;
}

export interface VolumeFields {
  type?: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly?: boolean;
}

export interface HealthFields {
  test?: string | string[];
  http?: { path?: string; port?: number | string };
  disable?: boolean;
  interval?: string | number;
  timeout?: string | number;
  retries?: number;
  startPeriod?: string | number;
}

export interface ComposeRef {
  file: string;
  service: string;
  project?: string;
  variables?: Record<string, string>;
  ignore?: string[];
}

export interface SpecFields {
  image?: string;
  pull?: PullPolicy;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  ports?: PortFields[];
  network?: string;
  volumes?: VolumeFields[];
  resources?: { cpus?: number; memory?: string | number };
  labels?: Record<string, string>;
  healthcheck?: HealthFields;
  replicas?: number;
  update?: { order?: UpdateOrder; maxSurge?: number; maxUnavailable?: number };
  restart?: RestartPolicy;
  stopTimeoutSeconds?: number;
  startTimeoutSeconds?: number;
  user?: string;
  workingDir?: string;
  init?: boolean;
  compose?: ComposeRef;
  adopt?: boolean | { labels: Record<string, string> };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isPort = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

const KNOWN = new Set([
  'image', 'pull', 'command', 'args', 'env', 'ports', 'network', 'volumes', 'resources', 'labels', 'healthcheck', 'replicas',
  'update', 'restart', 'stopTimeoutSeconds', 'startTimeoutSeconds', 'user', 'workingDir', 'init', 'compose', 'adopt',
]);

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, p: Problems): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  p.add(path, `must be one of ${allowed.join(', ')}`);
  return undefined;
}

function nonNegative(value: unknown, path: string, p: Problems, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && value >= 0 && (!integer || Number.isInteger(value))) return value;
  p.add(path, integer ? 'must be an integer >= 0' : 'must be a number >= 0');
  return undefined;
}

function readPorts(raw: unknown, p: Problems): PortFields[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    p.add('/ports', 'must be a list of { hostPort, containerPort?, protocol?, hostIp?, name? }');
    return undefined;
  }
  return raw.map((port, i): PortFields => {
    const at = `/ports/${i}`;
    if (!isObject(port)) {
      p.add(at, 'must be an object with hostPort');
      return { hostPort: 1 };
    }
    if (!isPort(port.hostPort)) p.add(`${at}/hostPort`, 'must be an integer between 1 and 65535');
    if (port.containerPort !== undefined && !isPort(port.containerPort)) p.add(`${at}/containerPort`, 'must be an integer between 1 and 65535');
    const protocol = oneOf(port.protocol, ['tcp', 'udp'] as const, `${at}/protocol`, p);
    if (port.name !== undefined && (typeof port.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(port.name))) p.add(`${at}/name`, 'must be a lowercase name like "http"');
    if (port.hostIp !== undefined && (typeof port.hostIp !== 'string' || port.hostIp === '')) p.add(`${at}/hostIp`, 'must be an address');
    return {
      hostPort: port.hostPort as number,
      ...(port.containerPort !== undefined ? { containerPort: port.containerPort as number } : {}),
      ...(protocol ? { protocol } : {}),
      ...(typeof port.hostIp === 'string' ? { hostIp: port.hostIp } : {}),
      ...(typeof port.name === 'string' ? { name: port.name } : {}),
    };
  });
}

function readVolumes(raw: unknown, p: Problems): VolumeFields[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    p.add('/volumes', 'must be a list of { source?, target, type?, readOnly? }');
    return undefined;
  }
  return raw.map((v, i): VolumeFields => {
    const at = `/volumes/${i}`;
    if (!isObject(v) || typeof v.target !== 'string' || !v.target.startsWith('/')) {
      p.add(`${at}/target`, 'must be an absolute path inside the container');
      return { target: '/' };
    }
    const type = oneOf(v.type, ['bind', 'volume', 'tmpfs'] as const, `${at}/type`, p);
    if (v.source !== undefined && (typeof v.source !== 'string' || v.source === '')) p.add(`${at}/source`, 'must be a host path or a volume name');
    if (v.readOnly !== undefined && typeof v.readOnly !== 'boolean') p.add(`${at}/readOnly`, 'must be true or false');
    return { target: v.target, ...(type ? { type } : {}), ...(typeof v.source === 'string' ? { source: v.source } : {}), ...(v.readOnly === true ? { readOnly: true } : {}) };
  });
}

function readHealth(raw: unknown, p: Problems): HealthFields | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    p.add('/healthcheck', 'must be an object');
    return undefined;
  }
  const h: HealthFields = {};
  if (raw.test !== undefined) {
    if ((typeof raw.test === 'string' && raw.test !== '') || (isStrings(raw.test) && raw.test.length > 0)) h.test = raw.test;
    else p.add('/healthcheck/test', 'must be a shell command or a list like ["CMD", "wget", "-q", "http://127.0.0.1:8080/"]');
  }
  if (raw.http !== undefined) {
    if (!isObject(raw.http)) p.add('/healthcheck/http', 'must be an object { path, port? }');
    else {
      const { path, port } = raw.http;
      if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) p.add('/healthcheck/http/path', 'must start with "/"');
      if (port !== undefined && !isPort(port) && (typeof port !== 'string' || port === '')) p.add('/healthcheck/http/port', 'must be a port name or a containerPort');
      h.http = { ...(typeof path === 'string' ? { path } : {}), ...(port !== undefined ? { port: port as number | string } : {}) };
    }
  }
  if (raw.disable !== undefined) {
    if (typeof raw.disable !== 'boolean') p.add('/healthcheck/disable', 'must be true or false');
    else h.disable = raw.disable;
  }
  for (const key of ['interval', 'timeout', 'startPeriod'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v === 'number' || typeof v === 'string') h[key] = v;
    else p.add(`/healthcheck/${key}`, 'must be a duration like "5s" or a number of seconds');
  }
  const retries = nonNegative(raw.retries, '/healthcheck/retries', p, true);
  if (retries !== undefined) h.retries = retries;
  const known = new Set(['test', 'http', 'disable', 'interval', 'timeout', 'retries', 'startPeriod']);
  for (const key of Object.keys(raw)) if (!known.has(key)) p.add(`/healthcheck/${key}`, 'is not a healthcheck field');
  return h;
}

function readCompose(raw: unknown, p: Problems): ComposeRef | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw) || typeof raw.file !== 'string' || raw.file === '' || typeof raw.service !== 'string' || raw.service === '') {
    p.add('/compose', 'must be { file, service } naming a compose file and one of its services');
    return undefined;
  }
  if (raw.variables !== undefined && !isStringMap(raw.variables)) p.add('/compose/variables', 'must map variable names to strings');
  if (raw.ignore !== undefined && !isStrings(raw.ignore)) p.add('/compose/ignore', 'must be a list of compose service keys');
  if (raw.project !== undefined && (typeof raw.project !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(raw.project))) {
    p.add('/compose/project', 'must be a compose project name (lowercase letters, digits, "_" and "-")');
  }
  return {
    file: raw.file,
    service: raw.service,
    ...(typeof raw.project === 'string' ? { project: raw.project } : {}),
    ...(isStringMap(raw.variables) ? { variables: { ...raw.variables } } : {}),
    ...(isStrings(raw.ignore) ? { ignore: [...raw.ignore] } : {}),
  };
}

/** The spec's own fields, checked; problems go to `p` with their paths. */
export function readSpecFields(raw: Record<string, unknown>, p: Problems): SpecFields {
  const f: SpecFields = {};
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) p.add(`/${key}`, 'is not a field of the docker spec');
  if (raw.image !== undefined) {
    if (typeof raw.image === 'string' && raw.image.trim() !== '' && !/\s/.test(raw.image)) f.image = raw.image;
    else p.add('/image', 'must be an image reference like "registry.example.com/web:1.4"');
  }
  const pull = oneOf(raw.pull, ['never', 'missing', 'always'] as const, '/pull', p);
  if (pull) f.pull = pull;
  for (const key of ['command', 'args'] as const) {
    if (raw[key] === undefined) continue;
    if (isStrings(raw[key])) f[key] = [...raw[key]];
    else p.add(`/${key}`, 'must be a list of strings');
  }
  if (raw.env !== undefined) {
    if (!isStringMap(raw.env)) p.add('/env', 'must map names to strings');
    else {
      for (const name of Object.keys(raw.env)) if (!ENV_NAME.test(name)) p.add(`/env/${name}`, 'is not a valid environment variable name');
      f.env = { ...raw.env };
    }
  }
  const ports = readPorts(raw.ports, p);
  if (ports) f.ports = ports;
  if (raw.network !== undefined) {
    if (typeof raw.network === 'string' && raw.network !== '') f.network = raw.network;
    else p.add('/network', 'must be "host", "bridge", "none" or a network name');
  }
  const volumes = readVolumes(raw.volumes, p);
  if (volumes) f.volumes = volumes;
  if (raw.resources !== undefined) {
    if (!isObject(raw.resources)) p.add('/resources', 'must be { cpus?, memory? }');
    else {
      const { cpus, memory } = raw.resources;
      if (cpus !== undefined && !(typeof cpus === 'number' && cpus > 0)) p.add('/resources/cpus', 'must be a positive number of CPUs, e.g. 0.5');
      if (memory !== undefined && typeof memory !== 'string' && typeof memory !== 'number') p.add('/resources/memory', 'must be bytes or a size like "256m"');
      f.resources = { ...(typeof cpus === 'number' ? { cpus } : {}), ...(typeof memory === 'string' || typeof memory === 'number' ? { memory } : {}) };
    }
  }
  if (raw.labels !== undefined) {
    if (isStringMap(raw.labels)) f.labels = { ...raw.labels };
    else p.add('/labels', 'must map label names to strings');
  }
  const health = readHealth(raw.healthcheck, p);
  if (health) f.healthcheck = health;
  const replicas = nonNegative(raw.replicas, '/replicas', p, true);
  if (replicas !== undefined) f.replicas = replicas;
  if (raw.update !== undefined) {
    if (!isObject(raw.update)) p.add('/update', 'must be { order?, maxSurge?, maxUnavailable? }');
    else {
      const order = oneOf(raw.update.order, ['start-first', 'stop-first'] as const, '/update/order', p);
      const maxSurge = nonNegative(raw.update.maxSurge, '/update/maxSurge', p, true);
      const maxUnavailable = nonNegative(raw.update.maxUnavailable, '/update/maxUnavailable', p, true);
      f.update = { ...(order ? { order } : {}), ...(maxSurge !== undefined ? { maxSurge } : {}), ...(maxUnavailable !== undefined ? { maxUnavailable } : {}) };
    }
  }
  const restart = oneOf(raw.restart, ['no', 'on-failure', 'always', 'unless-stopped'] as const, '/restart', p);
  if (restart) f.restart = restart;
  const stop = nonNegative(raw.stopTimeoutSeconds, '/stopTimeoutSeconds', p);
  if (stop !== undefined) f.stopTimeoutSeconds = stop;
  if (raw.startTimeoutSeconds !== undefined) {
    if (typeof raw.startTimeoutSeconds === 'number' && raw.startTimeoutSeconds > 0) f.startTimeoutSeconds = raw.startTimeoutSeconds;
    else p.add('/startTimeoutSeconds', 'must be a positive number of seconds');
  }
  if (raw.user !== undefined) {
    if (typeof raw.user === 'string' && raw.user !== '') f.user = raw.user;
    else p.add('/user', 'must be a user name or uid[:gid]');
  }
  if (raw.workingDir !== undefined) {
    if (typeof raw.workingDir === 'string' && raw.workingDir.startsWith('/')) f.workingDir = raw.workingDir;
    else p.add('/workingDir', 'must be an absolute path inside the container');
  }
  if (raw.init !== undefined) {
    if (typeof raw.init === 'boolean') f.init = raw.init;
    else p.add('/init', 'must be true or false');
  }
  const compose = readCompose(raw.compose, p);
  if (compose) f.compose = compose;
  if (raw.adopt !== undefined) {
    if (typeof raw.adopt === 'boolean') f.adopt = raw.adopt;
    else if (isObject(raw.adopt) && isStringMap(raw.adopt.labels) && Object.keys(raw.adopt.labels).length > 0) f.adopt = { labels: { ...raw.adopt.labels } };
    else p.add('/adopt', 'must be true (the compose service\'s containers) or { labels: { name: value } }');
  }
  return f;
}
