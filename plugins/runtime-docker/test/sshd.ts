// One OpenSSH server on a loopback port that forwards to a Docker daemon the way a remote Docker
// host does: `ssh://user@host` endpoints run `docker system dial-stdio` there, and `SetEnv
// DOCKER_HOST` points that docker CLI at the daemon's socket.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePortRange } from '../../../test/helpers/ports.js';

export const SSHD = '/usr/sbin/sshd';

export interface DockerSshHost {
  port: number;
  user: string;
  privateKey: string;
  fingerprint: string;
  close(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startDockerSshHost(dir: string, dockerSocket: string): Promise<DockerSshHost> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: install OpenSSH with \`bash .ci/install-openssh.sh\``);
  mkdirSync('/run/sshd', { recursive: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_ed25519')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client_ed25519')]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_ed25519.pub')), { mode: 0o600 });
  const port = await freePortRange(1);
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `SetEnv DOCKER_HOST=unix://${dockerSocket}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-f', config, '-E', path.join(dir, 'sshd.log')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sshd did not listen on ${port}: ${readFileSync(path.join(dir, 'sshd.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const blob = Buffer.from(readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/)[1]!, 'base64');
  return {
    port,
    user: os.userInfo().username,
    privateKey: readFileSync(path.join(dir, 'client_ed25519'), 'utf8'),
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    // SIGTERM: the listener ends its session children too (SIGKILL would orphan them as zombies).
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
