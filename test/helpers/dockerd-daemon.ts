// Starting and stopping a private Docker daemon (pure Node, no vitest): used by the shared test
// daemon (dockerd.ts), by the global teardown, and by tests that need a daemon of their own (TLS).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';

export const DOCKERD = '/usr/sbin/dockerd';

export interface Dockerd {
  /** The Engine endpoint as the docker runtime plugin's config takes it. */
  endpoint: string;
  socket: string;
  docker: Docker;
  /** Set when this process started the daemon. */
  pid?: number;
  stop(): Promise<void>;
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export async function answers(docker: Docker): Promise<boolean> {
  try {
    await (docker.ping as (opts: object) => Promise<unknown>)({ abortSignal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** "Z" (zombie) or a missing /proc entry: the daemon is gone. Orphans are reaped slowly here. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return ['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return true;
  }
}

export async function until(check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Mount points below `dir`, deepest first (dockerd leaves its exec root's netns/default mounted). */
function mountsBelow(dir: string): string[] {
  const points = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)));
  return points.sort((a, b) => b.length - a.length);
}

/** Stops a daemon by its pidfile (SIGTERM, then SIGKILL after 20 s), unmounts what it left and removes its directory. */
export async function stopDockerdIn(dir: string): Promise<void> {
  const pidFile = path.join(dir, 'docker.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (Number.isInteger(pid) && pid > 0 && !gone(pid)) {
    process.kill(pid, 'SIGTERM');
    await until(() => gone(pid), `dockerd ${pid} to stop`, 20_000).catch(() => {
      if (!gone(pid)) process.kill(pid, 'SIGKILL');
    });
  }
  for (const point of mountsBelow(dir)) {
    try {
      execFileSync('umount', ['-l', point], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts dockerd in `dir` (data, exec root, pidfile, socket and log all below it), detached, and
 * waits until it answers. With `tls`, it also listens on 127.0.0.1:<tls.port> and verifies client
 * certificates. Needs root; fails with the daemon's own log when it does not come up.
 */
export async function startDockerd(dir: string, tls?: { port: number; files: TlsFiles }, opts: { outliveCaller?: boolean } = {}): Promise<Dockerd> {
  if (!existsSync(DOCKERD)) throw new Error(`${DOCKERD} not found: install Docker with \`bash .ci/install-docker.sh\` (the docker runtime tests need a real Engine)`);
  if (process.getuid?.() !== 0) throw new Error('dockerd needs root: run the tests as root, or start a daemon yourself and set DRIFTLESS_TEST_DOCKER_HOST=unix:///path/docker.sock');
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'docker.sock');
  const log = openSync(path.join(dir, 'dockerd.log'), 'a');
  const args = [
    '--storage-driver=vfs', '--iptables=false', '--bridge=none', '--ip-masq=false',
    `--data-root=${path.join(dir, 'data')}`, `--exec-root=${path.join(dir, 'exec')}`, `--pidfile=${path.join(dir, 'docker.pid')}`,
    '-H', `unix://${socket}`,
    ...(tls ? ['--tlsverify', `--tlscacert=${tls.files.ca}`, `--tlscert=${tls.files.cert}`, `--tlskey=${tls.files.key}`, '-H', `tcp://127.0.0.1:${tls.port}`] : []),
  ];
  let exited: number | null | undefined;
  let pid: number;
  if (opts.outliveCaller) {
    // The run's shared daemon belongs to the whole run, not to the test file that happened to start
    // it: started through a shell that exits at once, it is no descendant of this worker (whose
    // leak check would stop it); the global teardown stops it by pidfile.
    closeSync(log);
    const quoted = [DOCKERD, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const out = execFileSync('/bin/sh', ['-c', `setsid ${quoted} </dev/null >>'${path.join(dir, 'dockerd.log')}' 2>&1 & echo $!`], { encoding: 'utf8' });
    pid = Number(out.trim());
  } else {
    // Detached: the daemon must outlive the worker that started it; the teardown stops it by pidfile.
    const child = spawn(DOCKERD, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    child.once('exit', (code) => (exited = code));
    pid = child.pid!;
  }
  const docker = new Docker({ socketPath: socket });
  await until(async () => {
    if (exited !== undefined || (opts.outliveCaller && gone(pid))) throw new Error(`dockerd exited at start: ${readFileSync(path.join(dir, 'dockerd.log'), 'utf8').trim().split('\n').slice(-5).join(' | ')}`);
    return existsSync(socket) && answers(docker);
  }, `dockerd to answer on ${socket}`, 60_000);
  return { endpoint: `unix://${socket}`, socket, docker, pid, stop: () => stopDockerdIn(dir) };
}

