// Real processes: the hello app started, rolled and stopped through the plugin's hooks.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import plugin, { stopAll } from '../src/index.js';
import { freePort, portTaken } from '../src/net.js';
import { liveness } from '../src/proc.js';
import { instanceDir } from '../src/records.js';
import { converge, ctx, fetchCtx, helloTarget, httpGet, instance, records } from './helpers.js';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-process-'));
});
afterEach(async () => {
  await stopAll(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

/** Every file of the instance dir with its content: fetch must leave this untouched. */
function snapshot(): Record<string, string> {
  const dir = instanceDir(stateDir, instance);
  return Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(path.join(dir, n), 'utf8')]));
}

async function answers(): Promise<Array<string | undefined>> {
  return Promise.all((await records(stateDir)).map((r) => httpGet(r.port)));
}

/** Two consecutive free ports for a basePort deployment. */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 65535 && !(await portTaken(p + 1))) return p;
  }
}

describe('process runtime: rollout', () => {
  it('first apply converges, serves the version, fetch changes nothing, apply again is a no-op', async () => {
    const v1 = helloTarget('v1', { replicas: 2 });
    const messages = await converge(stateDir, v1);
    expect(messages[0]).toMatch(/^started replica 0 of v1/);

    const state = await plugin.fetch(fetchCtx(stateDir, v1));
    expect(state.objects).toEqual([
      expect.objectContaining({ name: 'web', status: 'SUCCEEDED', versions: [{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 }] }),
    ]);
    expect(await answers()).toEqual(['hello from v1 in staging', 'hello from v1 in staging']);

    const before = snapshot();
    await plugin.fetch(fetchCtx(stateDir, v1));
    await plugin.fetch(fetchCtx(stateDir));
    expect(snapshot()).toEqual(before);

    const pids = (await records(stateDir)).map((r) => r.pid);
    const again = await plugin.apply(ctx(stateDir, v1));
    expect(again).toEqual({ message: 'nothing to do: 2 of 2 replicas of v1 available' });
    expect((await records(stateDir)).map((r) => r.pid)).toEqual(pids);
    for (const r of await records(stateDir)) expect(readFileSync(`/proc/${r.pid}/environ`, 'utf8')).toContain('DRIFTLESS_RELEASE=v1');
  });

  it('rolls v1 → v2 with a surge of one: never zero healthy replicas, answers switch to v2', async () => {
    await converge(stateDir, helloTarget('v1', { replicas: 2 }));
    const oldPids = (await records(stateDir)).map((r) => r.pid);

    // Probe every recorded replica continuously during the rollout.
    let running = true;
    let samples = 0;
    let zeroHealthy = 0;
    const watcher = (async () => {
      while (running) {
        const ok = (await answers()).filter((a) => a !== undefined).length;
        samples++;
        if (ok === 0) zeroHealthy++;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const v2 = helloTarget('v2', { replicas: 2 });
    const messages = await converge(stateDir, v2);
    running = false;
    await watcher;

    expect(samples).toBeGreaterThan(5);
    expect(zeroHealthy).toBe(0);
    expect(messages.some((m) => /started replica 0 of v2.*stopped replica 0 of v1/.test(m))).toBe(true);
    expect(await answers()).toEqual(['hello from v2 in staging', 'hello from v2 in staging']);
    for (const pid of oldPids) expect(liveness(pid, null)).not.toBe('alive');
    const state = await plugin.fetch(fetchCtx(stateDir, v2));
    expect(state.objects[0]?.versions).toEqual([{ version: 'v2', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 }]);
  });

  it('with basePort, replaces slot by slot (stop, then start on the same port)', async () => {
    const basePort = await twoFreePorts();
    await converge(stateDir, helloTarget('v1', { replicas: 2, basePort }));
    expect(await httpGet(basePort)).toBe('hello from v1 in staging');
    expect(await httpGet(basePort + 1)).toBe('hello from v1 in staging');

    let bothDown = 0;
    const messages = await converge(stateDir, helloTarget('v2', { replicas: 2, basePort }), async () => {
      const [a, b] = await Promise.all([httpGet(basePort), httpGet(basePort + 1)]);
      if (a === undefined && b === undefined) bothDown++;
    });
    expect(bothDown).toBe(0);
    expect(messages[0]).toMatch(/^stopped replica 0 of v1 .*, started replica 0 of v2/);
    expect(await httpGet(basePort)).toBe('hello from v2 in staging');
    expect(await httpGet(basePort + 1)).toBe('hello from v2 in staging');
  });

  it('spec drift (same version, new digest) is reported and replaced', async () => {
    await converge(stateDir, helloTarget('v1', { replicas: 1, digest: 'd1' }));
    const [old] = await records(stateDir);
    const edited = helloTarget('v1', { replicas: 1, digest: 'd2', spec: { env: { VERSION: 'v1', GREETING: 'hi' } } });

    const state = await plugin.fetch(fetchCtx(stateDir, edited));
    expect(state.objects[0]?.versions).toEqual([{ version: 'v1', replicas: 1, availableReplicas: 1, active: true, drifted: true, restarts: 0 }]);

    await converge(stateDir, edited);
    const [now] = await records(stateDir);
    expect(now?.pid).not.toBe(old?.pid);
    expect(now?.digest).toBe('d2');
    expect(readFileSync(`/proc/${now!.pid}/environ`, 'utf8')).toContain('GREETING=hi');
  });

  it('scales down and to zero', async () => {
    await converge(stateDir, helloTarget('v1', { replicas: 3 }));
    await converge(stateDir, helloTarget('v1', { replicas: 1 }));
    expect((await records(stateDir)).map((r) => r.slot)).toEqual([0]);
    const zero = helloTarget('v1', { replicas: 0 });
    await converge(stateDir, zero);
    expect(await records(stateDir)).toEqual([]);
    const state = await plugin.fetch(fetchCtx(stateDir, zero));
    expect(state.objects[0]).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'v1', replicas: 0, active: true }] });
  });

  it('delete stops every replica and removes its records', async () => {
    await converge(stateDir, helloTarget('v1', { replicas: 2 }));
    const pids = (await records(stateDir)).map((r) => r.pid);
    await plugin.delete!({ config: { stateDir }, instance, signal: AbortSignal.timeout(10_000), logger: console });
    for (const pid of pids) expect(liveness(pid, null)).not.toBe('alive');
    expect(await records(stateDir)).toEqual([]);
    expect(await plugin.fetch(fetchCtx(stateDir))).toEqual({ objects: [] });
  });
});
