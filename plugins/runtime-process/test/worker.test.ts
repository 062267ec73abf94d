// The engine calls hooks from worker threads that may end at any time: replicas must outlive them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect, it } from 'vitest';
import plugin, { stopAll } from '../src/index.js';
import { readProcStat } from '../src/proc.js';
import { converge, fetchCtx, helloTarget, httpGet, records } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-process-'));
});
afterEach(async () => {
  await stopAll(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

it('replicas started from a worker thread outlive it; one that dies afterwards is seen as dead (never reaped)', async () => {
  const v1 = helloTarget('v1', { replicas: 2 });
  const worker = new Worker(path.join(here, 'fixtures/ts-worker.mjs'), {
    workerData: { entry: path.join(here, 'fixtures/converge-worker.ts'), stateDir, target: v1 },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
  });

  const [first] = await records(stateDir);
  expect(await httpGet(first!.port)).toBe('hello from v1 in staging');
  expect((await plugin.fetch(fetchCtx(stateDir, v1))).objects[0]?.status).toBe('SUCCEEDED');

  // The thread that spawned it is gone, so nothing in this process waits for it: it stays a zombie.
  process.kill(first!.pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  const o = (await plugin.fetch(fetchCtx(stateDir, v1))).objects[0];
  expect(o?.status).toBe('FAILED');
  expect(o?.message).toContain(`pid ${first!.pid}`);
  // Typically still a zombie here ('Z'), which `kill -0` would call alive.
  expect(['Z', undefined]).toContain(readProcStat(first!.pid)?.state);

  await converge(stateDir, v1);
  expect((await records(stateDir)).map((r) => r.pid)).not.toContain(first!.pid);
});
