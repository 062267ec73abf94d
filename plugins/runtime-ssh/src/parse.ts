import { readFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { TerminalError } from '@driftless/plugin-sdk';
import { parseKnownHosts, type HostKeyPolicy } from './known-hosts.js';
import {
  DEFAULT_BASE_DIR,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_HEALTH_TIMEOUT_SECONDS,
  DEFAULT_SSH_PORT,
  DEFAULT_STOP_TIMEOUT_SECONDS,
} from './schema.js';

/** Runtime `config` as written (see configSchema). */
export interface SshRuntimeConfig {
  hosts: Array<{ address: string; port?: number; name?: string; labels?: Record<string, string>; baseDir?: string; env?: Record<string, string> }>;
  user: string;
  privateKey: string;
  passphrase?: string;
  knownHosts?: string;
  hostKeyFingerprints?: string[];
  strictHostKeyChecking?: boolean;
  connectTimeoutSeconds?: number;
  baseDir?: string;
}

export interface Host {
  name: string;
  address: string;
  port: number;
  labels: Record<string, string>;
  /** Remote state dir; relative paths are below the login directory (home). */
  baseDir: string;
  env: Record<string, string>;
}

/** Config after defaults and checks. Holds the key: never log it, never put it in a message. */
export interface SshConfig {
  hosts: Host[];
  user: string;
  privateKey: string;
  passphrase?: string;
  hostKeys: HostKeyPolicy;
  connectTimeoutMs: number;
}

export interface FileSpec {
  path: string;
  content: string;
  mode: number;
}

export interface HealthCheck {
  command?: string;
  http?: { port: number | string; path: string };
  timeoutSeconds: number;
}

export interface SshSpec {
  files: FileSpec[];
  start: string;
  stop?: string;
  env: Record<string, string>;
  healthCheck?: HealthCheck;
  maxUnavailable: number;
  hostSelector: Record<string, string>;
  stopTimeoutSeconds: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function envMap(value: unknown, where: string, fail: (m: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (!isStringMap(value)) fail(`${where} must map names to strings`);
  const bad = Object.keys(value as Record<string, string>).find((k) => !ENV_NAME.test(k));
  if (bad !== undefined) fail(`${where}: "${bad}" is not a valid environment variable name`);
  return { ...(value as Record<string, string>) };
}

export function hostName(h: { address: string; port?: number; name?: string }): string {
  return h.name ?? (h.port === undefined || h.port === DEFAULT_SSH_PORT ? h.address : `${h.address}:${h.port}`);
}

/** Checks the private key can be used; the error names the problem, never the key. */
function checkKey(privateKey: string, passphrase: string | undefined, fail: (m: string) => never): void {
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const why = parsed.message.length < 160 && !parsed.message.includes('-----') ? parsed.message : 'unsupported key format';
    fail(`privateKey cannot be used: ${why}`);
  }
}

export function parseConfig(raw: unknown): SshConfig {
  const fail = (msg: string): never => {
    throw new TerminalError(`invalid ssh runtime config: ${msg}`);
  };
  if (!isObject(raw)) fail('config must be an object');
  const c = raw as Partial<SshRuntimeConfig>;
  if (!Array.isArray(c.hosts) || c.hosts.length === 0) fail('hosts must list at least one host');
  if (typeof c.user !== 'string' || c.user === '') fail('user must be a non-empty string');
  if (typeof c.privateKey !== 'string' || c.privateKey === '') fail('privateKey must be a non-empty string');
  if (c.passphrase !== undefined && typeof c.passphrase !== 'string') fail('passphrase must be a string');
  checkKey(c.privateKey!, c.passphrase, fail);

  const strict = c.strictHostKeyChecking !== false;
  const fingerprints = c.hostKeyFingerprints ?? [];
  if (!Array.isArray(fingerprints) || fingerprints.some((f) => typeof f !== 'string')) fail('hostKeyFingerprints must be a list of strings');
  if (c.knownHosts !== undefined && typeof c.knownHosts !== 'string') fail('knownHosts must be known_hosts text');
  const knownHosts = parseKnownHosts(c.knownHosts ?? '');
  if (strict && fingerprints.length === 0 && knownHosts.length === 0) {
    fail('give knownHosts or hostKeyFingerprints to check host keys, or set strictHostKeyChecking: false');
  }
  const timeout = c.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  if (typeof timeout !== 'number' || !(timeout > 0)) fail('connectTimeoutSeconds must be a positive number');
  const baseDir = c.baseDir ?? DEFAULT_BASE_DIR;
  if (typeof baseDir !== 'string' || baseDir === '') fail('baseDir must be a non-empty string');

  const hosts: Host[] = (c.hosts as unknown[]).map((h, i) => {
    if (!isObject(h) || typeof h.address !== 'string' || h.address === '') fail(`hosts[${i}].address must be a non-empty string`);
    const host = h as SshRuntimeConfig['hosts'][number];
    const port = host.port ?? DEFAULT_SSH_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`hosts[${i}].port must be an integer between 1 and 65535`);
    if (host.labels !== undefined && !isStringMap(host.labels)) fail(`hosts[${i}].labels must map names to strings`);
    if (host.baseDir !== undefined && (typeof host.baseDir !== 'string' || host.baseDir === '')) fail(`hosts[${i}].baseDir must be a non-empty string`);
    return {
      name: hostName(host),
      address: host.address,
      port,
      labels: { ...host.labels },
      baseDir: host.baseDir ?? baseDir,
      env: envMap(host.env, `hosts[${i}].env`, fail),
    };
  });
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) fail(`host name "${h.name}" is used twice; give hosts distinct names`);
    seen.add(h.name);
  }
  return {
    hosts,
    user: c.user!,
    privateKey: c.privateKey!,
    ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}),
    hostKeys: { strict, fingerprints, knownHosts },
    connectTimeoutMs: Math.round(timeout * 1000),
  };
}

/** A relative path inside the release dir: no absolute paths, no `..`, no empty segments. */
function releasePath(p: string, where: string, fail: (m: string) => never): string {
  const normal = path.posix.normalize(p);
  if (p.startsWith('/') || normal === '.' || normal.split('/').some((s) => s === '..' || s === '')) {
    fail(`${where} must be a relative path inside the release directory, got "${p}"`);
  }
  return normal;
}

function parseFiles(value: unknown, fail: (m: string) => never, readSources: boolean): FileSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('files must be a list');
  return (value as unknown[]).map((f, i) => {
    if (!isObject(f) || typeof f.path !== 'string') fail(`files[${i}].path must be a string`);
    const file = f as { path: string; content?: unknown; source?: unknown; mode?: unknown };
    const rel = releasePath(file.path, `files[${i}].path`, fail);
    if ((file.content === undefined) === (file.source === undefined)) fail(`files[${i}] needs exactly one of content or source`);
    if (file.content !== undefined && typeof file.content !== 'string') fail(`files[${i}].content must be a string`);
    if (file.source !== undefined && (typeof file.source !== 'string' || file.source === '')) fail(`files[${i}].source must be a local file path`);
    const mode = file.mode ?? '0644';
    if (typeof mode !== 'string' || !/^0?[0-7]{3}$/.test(mode)) fail(`files[${i}].mode must be octal like "0644"`);
    let content = (file.content as string | undefined) ?? '';
    if (file.source !== undefined && readSources) {
      const local = path.resolve(process.cwd(), file.source as string);
      try {
        content = readFileSync(local, 'utf8');
      } catch (err) {
        fail(`files[${i}].source ${local} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    return { path: rel, content, mode: parseInt(mode as string, 8) };
  });
}

function parseHealth(value: unknown, fail: (m: string) => never): HealthCheck | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) fail('healthCheck must be an object');
  const hc = value as { command?: unknown; http?: unknown; timeoutSeconds?: unknown };
  if ((hc.command === undefined) === (hc.http === undefined)) fail('healthCheck needs exactly one of command or http');
  const timeoutSeconds = hc.timeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS;
  if (typeof timeoutSeconds !== 'number' || !(timeoutSeconds > 0)) fail('healthCheck.timeoutSeconds must be a positive number');
  if (hc.command !== undefined) {
    if (typeof hc.command !== 'string' || hc.command === '') fail('healthCheck.command must be a non-empty string');
    return { command: hc.command as string, timeoutSeconds: timeoutSeconds as number };
  }
  if (!isObject(hc.http)) fail('healthCheck.http must be an object with port and path');
  const { port, path: urlPath = '/' } = hc.http as { port?: unknown; path?: unknown };
  const portOk = (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) || (typeof port === 'string' && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(port));
  if (!portOk) fail('healthCheck.http.port must be a port number or an env reference like "$PORT"');
  if (typeof urlPath !== 'string' || !urlPath.startsWith('/')) fail('healthCheck.http.path must start with "/"');
  return { http: { port: port as number | string, path: urlPath as string }, timeoutSeconds: timeoutSeconds as number };
}

/**
 * Applies defaults and re-checks the shape (the host validated against specSchema, but a plugin
 * must not trust that). With readSources, `source` files are read now (apply); a malformed spec
 * or an unreadable source is a TerminalError.
 */
export function parseSpec(raw: Record<string, unknown>, readSources = false): SshSpec {
  const fail = (msg: string): never => {
    throw new TerminalError(`invalid ssh spec: ${msg}`);
  };
  const { start, stop, maxUnavailable = 1, hostSelector = {}, stopTimeoutSeconds = DEFAULT_STOP_TIMEOUT_SECONDS } = raw;
  if (typeof start !== 'string' || start.trim() === '') fail('start must be a non-empty command');
  if (stop !== undefined && (typeof stop !== 'string' || stop.trim() === '')) fail('stop must be a non-empty command');
  if (typeof maxUnavailable !== 'number' || !Number.isInteger(maxUnavailable) || maxUnavailable < 1) fail('maxUnavailable must be an integer >= 1');
  if (!isStringMap(hostSelector)) fail('hostSelector must map label names to strings');
  if (typeof stopTimeoutSeconds !== 'number' || !(stopTimeoutSeconds > 0)) fail('stopTimeoutSeconds must be a positive number');
  const healthCheck = parseHealth(raw.healthCheck, fail);
  return {
    files: parseFiles(raw.files, fail, readSources),
    start: start as string,
    ...(stop !== undefined ? { stop: stop as string } : {}),
    env: envMap(raw.env, 'env', fail),
    ...(healthCheck ? { healthCheck } : {}),
    maxUnavailable: maxUnavailable as number,
    hostSelector: { ...(hostSelector as Record<string, string>) },
    stopTimeoutSeconds: stopTimeoutSeconds as number,
  };
}

/** Hosts whose labels include every selector label, in config order. */
export function selectHosts(hosts: Host[], selector: Record<string, string>): Host[] {
  return hosts.filter((h) => Object.entries(selector).every(([k, v]) => h.labels[k] === v));
}

/** Like selectHosts, but an empty result is a TerminalError (a selector that matches nothing never converges). */
export function requireHosts(hosts: Host[], selector: Record<string, string>): Host[] {
  const selected = selectHosts(hosts, selector);
  if (selected.length === 0) {
    const wanted = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(', ');
    throw new TerminalError(`hostSelector { ${wanted} } matches none of the ${hosts.length} configured host(s)`);
  }
  return selected;
}
