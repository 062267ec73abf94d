import { createHash } from 'node:crypto';
import { TerminalError } from '@driftless/plugin-sdk';
import { DEFAULT_ENDPOINT, DEFAULT_REQUEST_TIMEOUT_SECONDS } from './schema.js';

/** Runtime `config` as written (see configSchema). */
export interface DockerRuntimeConfig {
  endpoint?: string;
  tls?: { ca?: string; cert: string; key: string };
  ssh?: { privateKey: string; passphrase?: string; hostKeyFingerprints?: string[]; strictHostKeyChecking?: boolean };
  requestTimeoutSeconds?: number;
  network?: string;
  labels?: Record<string, string>;
  probeHost?: string;
  registryAuth?: Record<string, { username: string; password: string }>;
}

/** Options for dockerode / docker-modem. Holds secrets: never log it, never put it in a message. */
export interface ModemOptions {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https' | 'ssh';
  username?: string;
  ca?: string;
  cert?: string;
  key?: string;
  sshOptions?: Record<string, unknown>;
}

/** Config after defaults and checks. */
export interface DockerConfig {
  /** The endpoint as a person reads it, without credentials: used in every message. */
  endpoint: string;
  modem: ModemOptions;
  /** How long one Engine request may go unanswered (requestTimeoutSeconds). */
  requestTimeoutMs: number;
  network?: string;
  labels: Record<string, string>;
  probeHost: string;
  registryAuth: Record<string, { username: string; password: string }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Checks and normalises a runtime config. Every problem is a TerminalError whose message names the
 * field and never the secret in it.
 */
export function parseConfig(raw: unknown): DockerConfig {
  const fail = (msg: string): never => {
    throw new TerminalError(`invalid docker runtime config: ${msg}`);
  };
  if (raw !== undefined && !isObject(raw)) fail('config must be an object');
  const c = (raw ?? {}) as DockerRuntimeConfig;
  const endpoint = c.endpoint ?? DEFAULT_ENDPOINT;
  if (typeof endpoint !== 'string') fail('endpoint must be a string');
  const timeout = c.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
  if (typeof timeout !== 'number' || !(timeout > 0)) fail('requestTimeoutSeconds must be a positive number');
  const requestTimeoutMs = timeout * 1000;
  const labels = c.labels ?? {};
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) fail('labels must map names to strings');
  if (c.network !== undefined && (typeof c.network !== 'string' || c.network === '')) fail('network must be a non-empty string');
  const common = { requestTimeoutMs, network: c.network, labels: { ...labels }, registryAuth: { ...(c.registryAuth ?? {}) } };

  if (endpoint.startsWith('/') || endpoint.startsWith('unix://')) {
    const socketPath = endpoint.startsWith('/') ? endpoint : endpoint.slice('unix://'.length);
    if (!socketPath.startsWith('/')) fail(`endpoint "${endpoint}" must name an absolute socket path (unix:///var/run/docker.sock)`);
    if (c.tls || c.ssh) fail(`${c.tls ? 'tls' : 'ssh'} is only for ${c.tls ? 'tcp://' : 'ssh://'} endpoints, the endpoint is a unix socket`);
    return { ...common, endpoint: `unix://${socketPath}`, modem: { socketPath }, probeHost: c.probeHost ?? '127.0.0.1' };
  }

  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return fail(`endpoint "${endpoint}" is not a URL (unix:///path, tcp://host:port, ssh://user@host)`);
  }
  if (!url.hostname) fail(`endpoint "${endpoint}" names no host`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'tcp:') {
    if (c.ssh) fail('ssh is only for ssh:// endpoints');
    if (url.password || url.username) fail('a tcp:// endpoint takes no user or password; use tls client certificates');
    const port = url.port ? Number(url.port) : c.tls ? 2376 : 2375;
    const modem: ModemOptions = { host, port, protocol: c.tls ? 'https' : 'http' };
    if (c.tls) {
      if (!isObject(c.tls) || typeof c.tls.cert !== 'string' || typeof c.tls.key !== 'string') fail('tls needs cert and key (PEM text)');
      if (!c.tls.cert.includes('-----BEGIN')) fail('tls.cert must be PEM text (-----BEGIN CERTIFICATE-----)');
      if (!c.tls.key.includes('-----BEGIN')) fail('tls.key must be PEM text (-----BEGIN ... PRIVATE KEY-----)');
      Object.assign(modem, { cert: c.tls.cert, key: c.tls.key, ...(c.tls.ca ? { ca: c.tls.ca } : {}) });
    }
    return { ...common, endpoint: `tcp://${url.host}`, modem, probeHost: c.probeHost ?? host };
  }
  if (url.protocol === 'ssh:') {
    if (c.tls) fail('tls is only for tcp:// endpoints');
    if (!url.username) fail(`endpoint "${url.protocol}//${url.host}" needs a user: ssh://user@host`);
    if (url.password) fail('an ssh:// endpoint must not carry a password; use ssh.privateKey');
    if (!isObject(c.ssh) || typeof c.ssh.privateKey !== 'string') fail('ssh.privateKey is required for ssh:// endpoints');
    const ssh = c.ssh!;
    const accepted = ssh.hostKeyFingerprints ?? [];
    if (ssh.strictHostKeyChecking !== false && accepted.length === 0) {
      fail('ssh.hostKeyFingerprints is required (or ssh.strictHostKeyChecking: false, for tests only)');
    }
    const sshOptions: Record<string, unknown> = {
      privateKey: ssh.privateKey,
      ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}),
      readyTimeout: requestTimeoutMs,
      // The daemon host's key must be one we were told to trust.
      ...(ssh.strictHostKeyChecking === false ? {} : { hostVerifier: (key: Buffer) => accepted.includes(fingerprint(key)) }),
    };
    const port = url.port ? Number(url.port) : 22;
    return {
      ...common,
      endpoint: `ssh://${url.username}@${url.host}`,
      modem: { host, port, protocol: 'ssh', username: decodeURIComponent(url.username), sshOptions },
      probeHost: c.probeHost ?? host,
    };
  }
  return fail(`endpoint "${endpoint}" has an unsupported scheme ${url.protocol} (unix://, tcp://, ssh://)`);
}
