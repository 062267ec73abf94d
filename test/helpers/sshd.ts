// Real OpenSSH servers on loopback ports: a fleet of "hosts" on this one machine for the ssh
// runtime. Each host has its own host key, config, pid and log, and its own state dir (the plugin's
// per-host `baseDir`), because every host shares this machine's filesystem and user.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePortRange } from './ports.js';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface SshdHost {
  /** Host name as the runtime config gives it ("vm-a", "vm-b", ...). */
  name: string;
  port: number;
  /** The plugin's state dir for this host (config `hosts[i].baseDir`). */
  baseDir: string;
  /** SHA256:... fingerprint of this host's key. */
  fingerprint: string;
  /** Its line for an OpenSSH known_hosts file. */
  knownHostsLine: string;
  /** PID of the listening sshd, undefined while stopped. */
  pid(): number | undefined;
  /** Kills the listening sshd (SIGKILL, like a host that went away). Established sessions stay. */
  stop(): Promise<void>;
  /** Starts it again on the same port and key. */
  start(): Promise<void>;
  log(): string;
}

export interface SshFleet {
  hosts: SshdHost[];
  user: string;
  /** PEM text of the client key the test generated; authorized on every host. */
  privateKey: string;
  dir: string;
  /** Runtime `hosts` entries: name, 127.0.0.1, port, baseDir, plus `extra(i)`. */
  hostConfigs(extra?: (index: number) => Record<string, unknown>): Record<string, unknown>[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function keygen(file: string, comment: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1]!, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sshdConfig(dir: string, port: number, authorizedKeys: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding yes',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

async function startHost(dir: string, index: number, port: number, authorizedKeys: string): Promise<SshdHost> {
  mkdirSync(dir, { recursive: true });
  await keygen(path.join(dir, 'host_ed25519'), `driftless-test-host-${index}`);
  const config = path.join(dir, 'sshd_config');
  writeFileSync(config, sshdConfig(dir, port, authorizedKeys));
  const publicKey = readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8');
  const logFile = path.join(dir, 'sshd.log');
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    // -D: no daemon, so the test owns the pid; -E: log to a file instead of syslog.
    const proc = spawn(SSHD, ['-D', '-f', config, '-E', logFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      if (child === proc) child = undefined;
    });
    child = proc;
    await waitUntil(async () => {
      if (exited) throw new Error(`sshd on port ${port} exited at start: ${stderr.trim()} ${existsSync(logFile) ? readFileSync(logFile, 'utf8').trim() : ''}`);
      return listening(port);
    }, `sshd to listen on 127.0.0.1:${port}`);
  };
  const stop = async () => {
    const proc = child;
    if (!proc) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await gone;
    child = undefined;
  };
  await start();
  return {
    name: `vm-${String.fromCharCode(97 + index)}`,
    port,
    baseDir: path.join(dir, 'state'),
    fingerprint: fingerprintOf(publicKey),
    knownHostsLine: `[127.0.0.1]:${port} ${publicKey.trim().split(/\s+/).slice(0, 2).join(' ')}`,
    pid: () => child?.pid,
    stop,
    start,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
}

/**
 * Starts `count` sshd on free loopback ports, all accepting one ed25519 key pair generated here for
 * the current user. Fails with a message naming .ci/install-openssh.sh when OpenSSH is missing.
 */
export async function startSshFleet(count: number): Promise<SshFleet> {
  if (!existsSync(SSHD)) {
    throw new Error(`${SSHD} not found: install OpenSSH with \`bash .ci/install-openssh.sh\` (the ssh runtime tests start real sshd)`);
  }
  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-sshd-'));
  const hosts: SshdHost[] = [];
  const close = async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await keygen(path.join(dir, 'client_ed25519'), 'driftless-test-client');
    const authorizedKeys = path.join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(path.join(dir, 'client_ed25519.pub')), { mode: 0o600 });
    const base = await freePortRange(count);
    for (let i = 0; i < count; i++) hosts.push(await startHost(path.join(dir, `host-${i}`), i, base + i, authorizedKeys));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    hosts,
    user: os.userInfo().username,
    privateKey: readFileSync(path.join(dir, 'client_ed25519'), 'utf8'),
    dir,
    hostConfigs: (extra) => hosts.map((h, i) => ({ name: h.name, address: '127.0.0.1', port: h.port, baseDir: h.baseDir, ...extra?.(i) })),
    close,
    [Symbol.asyncDispose]: close,
  };
}
