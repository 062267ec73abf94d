// Issue 10 point 21: a crash between starting a replica and recording it leaves no unmanaged process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import plugin, { stopAll } from '../src/index.js';
import { findMarked } from '../src/environ.js';
import { freePort } from '../src/net.js';
import { readProcStat } from '../src/proc.js';
import { instanceDir } from '../src/records.js';
import { converge, ctx, helloTarget, httpGet, instance, records } from './helpers.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-process-'));
});
afterEach(async () => {
  await stopAll(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

/** Runs the crashing "server": it must die by SIGKILL right after starting the replica. */
async function crashMidStart(target: object): Promise<void> {
  const res = await run(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/crash-before-record.ts'), stateDir, JSON.stringify(target)], { timeout: 30_000 }).then(
    () => ({ signal: null }),
    (err: { signal?: string }) => ({ signal: err.signal ?? null }),
  );
  expect(res.signal).toBe('SIGKILL');
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dead = (pid: number) => {
  const stat = readProcStat(pid);
  return stat === undefined || stat.state === 'Z';
};

describe('issue 10 point 21: a crash between starting a replica and recording it', () => {
  it('with a fixed basePort the next apply adopts the unrecorded replica and converges (no "port in use"), once', { timeout: 60_000 }, async () => {
    const basePort = await freePort();
    const v1 = helloTarget('v1', { basePort });
    await crashMidStart(v1);
    // The replica runs, unrecorded: only its intent is on disk.
    expect(await until(() => httpGet(basePort))).toBe('hello from v1 in staging');
    expect(await records(stateDir)).toEqual([]);
    expect(readdirSync(instanceDir(stateDir, instance)).filter((n) => n.startsWith('intent-'))).toHaveLength(1);

    const result = await plugin.apply(ctx(stateDir, v1));
    expect(result?.message).toMatch(/^nothing to do: 1 of 1 replicas of v1 available; adopted replica 0 of v1 \(pid \d+\), started before the server stopped but never recorded$/);
    const [adopted] = await records(stateDir);
    expect(adopted).toMatchObject({ slot: 0, version: 'v1', port: basePort });
    expect(findMarked(adopted!.marker!).filter((p) => p.leader).map((p) => p.pid)).toEqual([adopted!.pid]);
    await converge(stateDir, v1);
    expect((await records(stateDir)).map((r) => r.pid)).toEqual([adopted!.pid]);

    // Rolling forward replaces it like any replica on that port.
    const v2 = helloTarget('v2', { basePort });
    await converge(stateDir, v2);
    expect(await httpGet(basePort)).toBe('hello from v2 in staging');
    await until(async () => (dead(adopted!.pid) ? true : undefined));
  });

  it('deleting the instance stops a replica started just before the crash', { timeout: 60_000 }, async () => {
    const v1 = helloTarget('v1');
    await crashMidStart(v1);
    const marked = await until(async () => {
      const dir = instanceDir(stateDir, instance);
      const intent = readdirSync(dir).find((n) => n.startsWith('intent-'));
      return intent ? intent : undefined;
    });
    expect(marked).toBeDefined();
    const intent = JSON.parse((await import('node:fs')).readFileSync(path.join(instanceDir(stateDir, instance), marked), 'utf8'));
    const [running] = await until(async () => {
      const found = findMarked(intent.marker).filter((p) => p.leader);
      return found.length ? found : undefined;
    });
    await plugin.delete!({ config: { stateDir }, instance, signal: AbortSignal.timeout(30_000), logger: { debug() {}, info() {}, warn() {}, error() {} } });
    await until(async () => (dead(running!.pid) ? true : undefined));
    expect(findMarked(intent.marker)).toEqual([]);
  });
});
