/**
 * `driftless demo --stop`: ends whatever an earlier demo left running. A demo still running
 * somewhere (another terminal, a background job) is asked to stop like Ctrl-C would; apps whose
 * demo could not clean up (killed with SIGKILL, a crash) are removed by a server started on the
 * demo's data, which deletes the hello application and so stops its processes from their records.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Api } from './api.js';
import { startDemoServer } from './demo-server.js';

const PID_FILE = 'demo.pid';
const DELETE = `mutation { deleteApplication(input: { name: "hello" }) { userErrors { code message } } }`;

/** The pid of the process that holds the demo's data dir, and when it started (to tell it from a reused pid). */
interface PidRecord {
  pid: number;
  startTicks: number | null;
}

function startTicksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

function alive(record: PidRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  // A pid can be reused once its process is gone; where /proc exists, the start time tells.
  const now = startTicksOf(record.pid);
  return record.startTicks === null || now === null || now === record.startTicks;
}

export function writeDemoPid(dataDir: string): void {
  const record: PidRecord = { pid: process.pid, startTicks: startTicksOf(process.pid) };
  writeFileSync(path.join(dataDir, PID_FILE), `${JSON.stringify(record)}\n`);
}

export function removeDemoPid(dataDir: string): void {
  const file = path.join(dataDir, PID_FILE);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as PidRecord).pid === process.pid) rmSync(file);
  } catch {
    // nothing to remove
  }
}

/** A demo that is running now on this data dir, if any. */
export function runningDemo(dataDir: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path.join(dataDir, PID_FILE), 'utf8')) as PidRecord;
    return record.pid !== process.pid && alive(record) ? record : undefined;
  } catch {
    return undefined;
  }
}

async function waitUntilGone(record: PidRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(record)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Stops a running demo and removes what an earlier one left; returns what it did, in words. */
export async function stopDemo(dataDir: string): Promise<string[]> {
  const done: string[] = [];
  const running = runningDemo(dataDir);
  if (running) {
    process.kill(running.pid, 'SIGTERM');
    if (!(await waitUntilGone(running, 60_000))) throw new Error(`the demo (pid ${running.pid}) did not stop within 60 s; stop it with: kill -9 ${running.pid}, then run driftless demo --stop again`);
    done.push(`stopped the demo that was running as pid ${running.pid} (its apps and its server)`);
  }
  if (!existsSync(path.join(dataDir, 'driftless.db'))) return done;
  const server = await startDemoServer({ dataDir, port: 0 });
  const api = new Api({ url: server.url, token: server.token, tokenSource: 'flag' });
  try {
    const { application } = await api.request(`{ application(name: "hello") { name } }`);
    if (application) {
      await api.request(DELETE);
      done.push('stopped the hello apps an earlier demo left running');
    }
  } finally {
    await api.close();
    // Closing waits for the engine to finish removing the deleted application's processes.
    await server.close();
  }
  return done;
}
