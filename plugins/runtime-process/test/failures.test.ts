// Real processes going wrong: crashes, a server that went away, releases that never start.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import plugin, { stopAll } from '../src/index.js';
import { readProcStat } from '../src/proc.js';
import { converge, ctx, fetchCtx, helloTarget, httpGet, records } from './helpers.js';

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

async function until<T>(probe: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('process runtime: failures', () => {
  it('a crashed replica is reported FAILED by fetch and restarted by apply', async () => {
    const v1 = helloTarget('v1', { replicas: 2 });
    await converge(stateDir, v1);
    const victim = (await records(stateDir)).find((r) => r.slot === 1)!;
    process.kill(victim.pid, 'SIGKILL');

    const failed = await until(async () => {
      const o = (await plugin.fetch(fetchCtx(stateDir, v1))).objects[0];
      return o?.status === 'FAILED' ? o : undefined;
    });
    expect(failed.message).toContain(`replica 1 of v1 (pid ${victim.pid}`);
    expect(failed.message).toContain('not running');
    expect(failed.message).toContain('hello v1 listening on'); // log tail
    expect(failed.versions).toEqual([{ version: 'v1', replicas: 2, availableReplicas: 1, active: true, drifted: true, restarts: 0 }]);

    const result = await plugin.apply(ctx(stateDir, v1));
    expect(result?.message).toMatch(new RegExp(`^restarted crashed replica 1 \\(pid ${victim.pid}\\): started replica 1 of v1`));
    await converge(stateDir, v1);
    expect((await records(stateDir)).map((r) => r.slot)).toEqual([0, 1]);
    // The restart is counted for the version (the engine's crash-loop detection reads it).
    expect((await plugin.fetch(fetchCtx(stateDir, v1))).objects[0]!.versions).toEqual([{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 1 }]);
  });

  it('a new server re-adopts orphaned replicas, and sees a dead orphan as dead while it is a zombie', async () => {
    const v1 = helloTarget('v1', { replicas: 2 });
    // The "old server": a separate Node process that converges the instance and exits.
    await run(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/converge.ts'), stateDir, JSON.stringify(v1)], {
      timeout: 30_000,
    });
    const adopted = await records(stateDir);
    expect(adopted).toHaveLength(2);

    const state = await plugin.fetch(fetchCtx(stateDir, v1));
    expect(state.objects[0]).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false }] });
    expect(await plugin.apply(ctx(stateDir, v1))).toEqual({ message: 'nothing to do: 2 of 2 replicas of v1 available' });
    expect((await records(stateDir)).map((r) => r.pid)).toEqual(adopted.map((r) => r.pid));

    // Nobody reaps the orphan at once here: `kill -0` would still succeed, /proc says Z.
    const victim = adopted[0]!;
    process.kill(-victim.pgid, 'SIGKILL');
    const failed = await until(async () => {
      const o = (await plugin.fetch(fetchCtx(stateDir, v1))).objects[0];
      return o?.status === 'FAILED' ? o : undefined;
    }, 1_000);
    expect(failed.message).toContain(`replica 0 of v1 (pid ${victim.pid}`);
    const stat = readProcStat(victim.pid);
    expect(stat === undefined || stat.state === 'Z').toBe(true);

    await converge(stateDir, v1);
    expect(await httpGet((await records(stateDir)).find((r) => r.slot === 0)!.port)).toBe('hello from v1 in staging');
  });

  it('a release that exits at once fails with its log lines while the old version keeps serving', async () => {
    await converge(stateDir, helloTarget('v1', { replicas: 2 }));
    const v1Ports = (await records(stateDir)).map((r) => r.port);
    const broken = helloTarget('v2', {
      replicas: 2,
      spec: { args: ['-e', "console.error('boom: DATABASE_URL is not set'); process.exit(3)"] },
    });

    await expect(plugin.apply(ctx(stateDir, broken))).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/replica 0 of v2 .*exited during start; last log lines: boom: DATABASE_URL is not set; 2 other replica\(s\) keep serving/),
    });
    const o = (await plugin.fetch(fetchCtx(stateDir, broken))).objects[0]!;
    expect(o.status).toBe('FAILED');
    expect(o.message).toContain('boom: DATABASE_URL is not set');
    expect(o.versions).toEqual([
      { version: 'v2', replicas: 1, availableReplicas: 0, active: false, drifted: true, restarts: 0 },
      { version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 },
    ]);
    for (const port of v1Ports) expect(await httpGet(port)).toBe('hello from v1 in staging');

    // The engine rolls back: applying v1 again clears the failed record and changes nothing else.
    const rollback = await plugin.apply(ctx(stateDir, helloTarget('v1', { replicas: 2 })));
    expect(rollback?.message).toMatch(/nothing to do.*cleared failed replica 0 of v2/);
    expect((await records(stateDir)).map((r) => r.port)).toEqual(v1Ports);
  });

  it('a replica that never turns healthy is stopped after its health timeout', async () => {
    const sick = helloTarget('v1', { spec: { healthCheck: { path: '/missing', timeoutSeconds: 0.5 } } });
    await expect(plugin.apply(ctx(stateDir, sick))).rejects.toThrow(/was not healthy after 0.5s \(GET \/missing\).*hello v1 listening/);
    const [failed] = await records(stateDir);
    expect(failed?.failure).toMatch(/^failed to start/);
    const stat = readProcStat(failed!.pid);
    expect(stat === undefined || stat.state === 'Z').toBe(true);
  });

  it('a command that does not exist is a TerminalError', async () => {
    const typo = helloTarget('v1', { spec: { command: 'nodee' } });
    await expect(plugin.apply(ctx(stateDir, typo))).rejects.toMatchObject({ name: 'TerminalError', message: 'command "nodee" not found' });
    expect(await records(stateDir)).toEqual([]);
  });

  it('honours the abort signal during a long health wait, and the next apply resumes the wait', async () => {
    const slow = helloTarget('v1', { spec: { healthCheck: { path: '/missing', timeoutSeconds: 60 } } });
    const started = Date.now();
    await expect(plugin.apply(ctx(stateDir, slow, AbortSignal.timeout(300)))).rejects.toThrow(/interrupted while waiting for replica 0/);
    expect(Date.now() - started).toBeLessThan(2_000);
    const [starting] = await records(stateDir);
    expect(starting?.failure).toBeUndefined();

    // Still within its 60 s: PENDING, not FAILED, and a second apply waits for the same process.
    expect((await plugin.fetch(fetchCtx(stateDir, slow))).objects[0]?.status).toBe('PENDING');
    await expect(plugin.apply(ctx(stateDir, slow, AbortSignal.timeout(300)))).rejects.toThrow(/interrupted/);
    expect((await records(stateDir)).map((r) => r.pid)).toEqual([starting!.pid]);
  });
});
