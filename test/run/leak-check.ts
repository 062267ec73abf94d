/**
 * After every test file, in its own worker process: nothing the file started may still run, and
 * the worker may listen on no port. A test server left open, an sshd or Alertmanager not stopped,
 * a process-runtime replica whose application was never deleted: each fails the file, named with
 * its command and ports, and is then killed so later files start on a clean machine.
 *
 * Processes whose parent died (re-parented away from this worker) are out of its sight; the
 * suite-level check (orphans.ts, run by `npm test`) catches those.
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { HAS_PROC, allProcesses, describeProcess, isAlive, killAll, listeningPorts, liveDescendants, processInfo, type ProcessInfo } from './processes.js';

/** Cleanup that was started but not awaited (a kill, a close) gets this long to finish. */
const GRACE_MS = 5_000;

const key = (p: ProcessInfo) => `${p.pid}:${p.startTicks}`;

interface Leaks {
  processes: ProcessInfo[];
  /** pid → ports, for this worker and the leaked processes. */
  ports: Map<number, number[]>;
}

function findLeaks(before: Set<string>, beforePorts: Set<number>): Leaks {
  const processes = liveDescendants(process.pid, allProcesses()).filter((p) => !before.has(key(p)));
  const ports = listeningPorts([process.pid, ...processes.map((p) => p.pid)]);
  const own = (ports.get(process.pid) ?? []).filter((port) => !beforePorts.has(port));
  if (own.length) ports.set(process.pid, own);
  else ports.delete(process.pid);
  return { processes, ports };
}

function report(file: string, leaks: Leaks): string {
  const lines = leaks.processes.map((p) => `  ${describeProcess(p, leaks.ports.get(p.pid))}`);
  const own = leaks.ports.get(process.pid);
  if (own?.length) lines.push(`  this test file's own process still listens on ${own.map((p) => `:${p}`).join(', ')} (a server that was never closed)`);
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const what = [leaks.processes.length ? count(leaks.processes.length, 'process', 'processes') : '', own?.length ? count(own.length, 'listening port', 'listening ports') : ''];
  return `${file} left ${what.filter(Boolean).join(' and ')} behind:\n${lines.join('\n')}\nEvery test must stop what it starts (await server.close(), await using, delete the application it deployed); the processes were killed.`;
}

/** Registers the check for the current test file (called from the setup file, once per file). */
export function checkEveryFileForLeaks(): void {
  if (!HAS_PROC) return;
  let file = '';
  let before = new Set<string>();
  let beforePorts = new Set<number>();
  beforeAll(({}, suite) => {
    file = path.relative(process.cwd(), suite.file.filepath);
    before = new Set(liveDescendants(process.pid).map(key));
    beforePorts = new Set(listeningPorts([process.pid]).get(process.pid) ?? []);
  });
  afterAll(async () => {
    let leaks = findLeaks(before, beforePorts);
    const deadline = Date.now() + GRACE_MS;
    while ((leaks.processes.length || leaks.ports.has(process.pid)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      leaks = findLeaks(before, beforePorts);
    }
    if (!leaks.processes.length && !leaks.ports.has(process.pid)) return;
    const message = report(file, leaks);
    // Fresh snapshots: a process may have changed group or exited while we waited.
    await killAll(leaks.processes.map((p) => processInfo(p.pid)).filter((p): p is ProcessInfo => !!p && isAlive(p)));
    throw new Error(message);
  }, GRACE_MS + 10_000);
}
