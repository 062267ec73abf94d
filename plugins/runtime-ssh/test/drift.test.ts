// Rolling and drift against three real sshd hosts: one host at a time, and what a host says when
// its process is killed or its record edited, healed by the next apply.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../test/helpers/ports.js';
import { startSshFleet, type SshFleet } from '../../../test/helpers/sshd.js';
import plugin from '../src/index.js';
import type { SshRuntimeConfig } from '../src/parse.js';
import { converge, fetchCtx, fleetConfig, helloTarget, httpGet, instance, quiet } from './helpers.js';

let fleet: SshFleet;
let ports: number[];
let config: SshRuntimeConfig;
beforeAll(async () => {
  fleet = await startSshFleet(3);
  const base = await freePortRange(3);
  ports = [base, base + 1, base + 2];
  config = fleetConfig(fleet, ports);
});
afterEach(async () => {
  await plugin.delete!({ config, instance, signal: AbortSignal.timeout(20_000), logger: quiet });
});
afterAll(async () => {
  await fleet?.close();
});

const recordFile = (i: number) => path.join(fleet.hosts[i]!.baseDir, 'shop/staging/web/current.json');
const record = (i: number) => JSON.parse(readFileSync(recordFile(i), 'utf8'));
const answers = () => Promise.all(ports.map((p) => httpGet(p)));
/** Alive and not a zombie (orphans are reaped slowly here, so `kill -0` is not enough). */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
/** All hosts at once: for tests where the rollout order is not the point. */
const fast = (version: string) => helloTarget(version, { maxUnavailable: 3 });

describe('ssh runtime: rolling and drift on real sshd hosts', () => {
  it('rolls v1 → v2 one host at a time, stopping each old process', async () => {
    await converge(config, fast('v1'));
    const old = [0, 1, 2].map((i) => record(i).pid);
    const seen: string[][] = [];
    const messages = await converge(config, helloTarget('v2'), async (state) => {
      seen.push(state.objects.map((o) => o.versions.find((v) => v.active)?.version ?? '-'));
    });
    expect(messages.map((m) => m.replace(/\d+/g, 'N'))).toEqual([
      'vm-a: started vN (pid N), stopped vN (pid N); N host(s) to go',
      'vm-b: started vN (pid N), stopped vN (pid N); N host(s) to go',
      'vm-c: started vN (pid N), stopped vN (pid N)',
    ]);
    // Never more than one host off the old release before its replacement serves.
    expect(seen).toEqual([['v2', 'v1', 'v1'], ['v2', 'v2', 'v1'], ['v2', 'v2', 'v2']]);
    expect(old.filter(running)).toEqual([]);
    expect(await answers()).toEqual(ports.map(() => 'hello from v2 in staging'));
  });

  it('sees drift (killed process, edited digest, another version in the record) and apply heals it', async () => {
    const v1 = fast('v1');
    await converge(config, v1);

    // 1. The process on vm-b is killed.
    process.kill(-record(1).pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const killed = (await plugin.fetch(fetchCtx(config, v1))).objects[1]!;
    expect(killed).toMatchObject({ name: 'vm-b', status: 'FAILED', versions: [{ version: 'v1', active: false, drifted: true }] });
    expect(killed.message).toMatch(/^v1 \(pid \d+\) is not running \(exited or killed\)$/);

    // 2. vm-c's record is edited to claim another digest.
    writeFileSync(recordFile(2), JSON.stringify({ ...record(2), digest: 'hand-edited' }));
    const edited = (await plugin.fetch(fetchCtx(config, v1))).objects[2]!;
    expect(edited).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'v1', drifted: true }], message: expect.stringMatching(/runs digest hand-edited/) });
    expect(killed.name).toBe('vm-b');

    // 3. vm-a's record says it runs something else.
    writeFileSync(recordFile(0), JSON.stringify({ ...record(0), version: 'v0' }));
    const other = (await plugin.fetch(fetchCtx(config, v1))).objects[0]!;
    expect(other).toMatchObject({ status: 'PENDING', versions: [{ version: 'v0', active: true }], message: expect.stringMatching(/^runs v0 \(pid \d+\), want v1$/) });

    const pidC = record(2).pid;
    const messages = await converge(config, v1);
    expect(messages.join(' / ')).toMatch(/vm-b: started v1/);
    expect(await answers()).toEqual(ports.map(() => 'hello from v1 in staging'));
    expect(record(2).pid).not.toBe(pidC);
    expect([0, 1, 2].map((i) => record(i).digest)).toEqual(['digest-v1', 'digest-v1', 'digest-v1']);
  });
});
