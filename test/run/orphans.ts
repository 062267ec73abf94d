/**
 * The suite-level leak check, run by scripts/subreaper.pl once vitest has exited: every process
 * still running under the subreaper outlived the test run (a replica whose server was killed, a
 * daemon whose test forgot it, a process a remote shell detached). Names each, with its ports,
 * ends them, and exits 1. Per-file checks (leak-check.ts) already named what they could see; this
 * catches what was re-parented away from them.
 */
import { allProcesses, describeProcess, isAlive, killAll, listeningPorts, liveDescendants, type ProcessInfo } from './processes.js';

const GRACE_MS = 3_000;

function leftovers(reaper: number): ProcessInfo[] {
  const processes = allProcesses();
  const mine = new Set([process.pid, ...liveDescendants(process.pid, processes).map((p) => p.pid)]);
  return liveDescendants(reaper, processes).filter((p) => !mine.has(p.pid));
}

async function main(): Promise<number> {
  const reaper = Number(process.env.DRIFTLESS_REAPER_PID);
  if (!Number.isInteger(reaper) || reaper <= 1) {
    console.error('orphans.ts runs under scripts/subreaper.pl (DRIFTLESS_REAPER_PID is not set)');
    return 2;
  }
  let left = leftovers(reaper);
  const deadline = Date.now() + GRACE_MS;
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = leftovers(reaper).filter(isAlive);
  }
  if (!left.length) {
    console.log('leak check: no process outlived the test run');
    return 0;
  }
  const ports = listeningPorts(left.map((p) => p.pid));
  console.error(`\nleak check FAILED: ${left.length} process${left.length === 1 ? '' : 'es'} outlived the test run (now killed):`);
  for (const p of left) console.error(`  ${describeProcess(p, ports.get(p.pid))}`);
  console.error('Every test must stop what it starts, including workloads of the runtimes it deployed to (delete the application) and daemons it started.');
  await killAll(left);
  return 1;
}

process.exitCode = await main();
