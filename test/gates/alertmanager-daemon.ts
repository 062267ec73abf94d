/**
 * A real Alertmanager for tests, on a free loopback port with its own config and storage. Started
 * and stopped by PID; never the system service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'];

const CONFIG = `route:
  receiver: 'null'
receivers:
  - name: 'null'
`;

export interface AlertmanagerDaemon {
  url: string;
  pid: number;
  postAlert(labels: Record<string, string>, endsAt: Date): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** ALERTMANAGER_BIN overrides the search (a binary installed elsewhere). */
export function findAlertmanager(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = env.ALERTMANAGER_BIN ? [env.ALERTMANAGER_BIN] : CANDIDATES;
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `Alertmanager is not installed (looked for ${candidates.join(', ')}). Run .ci/install-alertmanager.sh (apt-get install prometheus-alertmanager) and re-run the tests.`,
    );
  }
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startAlertmanager(): Promise<AlertmanagerDaemon> {
  const binary = findAlertmanager();
  const dir = await mkdtemp(join(tmpdir(), 'driftless-am-'));
  await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    pid: child.pid!,
    async postAlert(labels, endsAt) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels, annotations: {}, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: endsAt.toISOString() }]),
      });
      if (res.status !== 200) throw new Error(`POST /api/v2/alerts answered ${res.status}: ${await res.text()}`);
      await res.body?.cancel();
    },
    [Symbol.asyncDispose]: stop,
  };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`alertmanager exited during start (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`alertmanager at ${url} not ready after 15s: ${stderr()}`);
}

/** SIGTERM by PID, SIGKILL after a grace period; we are its parent, so 'exit' arrives at once. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  }, 3000);
  await exited;
  clearTimeout(timer);
}
