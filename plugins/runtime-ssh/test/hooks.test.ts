// The hooks against three real sshd hosts: upload, start, truthful fetch, idempotent apply,
// rolling, drift healing and delete.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../test/helpers/ports.js';
import { startSshFleet, type SshFleet } from '../../../test/helpers/sshd.js';
import plugin from '../src/index.js';
import type { SshRuntimeConfig } from '../src/parse.js';
import { applyCtx, converge, fetchCtx, fleetConfig, helloTarget, httpGet, instance, quiet } from './helpers.js';

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

/** Every file under the hosts' state dirs with its content: fetch must leave this untouched. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[full] = readFileSync(full, 'utf8');
    }
  };
  for (const h of fleet.hosts) walk(h.baseDir);
  return out;
}

describe('ssh runtime: hooks on real sshd hosts', () => {
  it('deploys one host per apply, fetch is truthful and changes nothing, a second apply is a no-op', async () => {
    const v1 = helloTarget('v1');
    const messages = await converge(config, v1);
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^vm-a: started v1 \(pid \d+\); 2 host\(s\) to go$/);
    expect(messages[2]).toMatch(/^vm-c: started v1 \(pid \d+\)$/);
    expect(await answers()).toEqual(ports.map(() => 'hello from v1 in staging'));

    const state = await plugin.fetch(fetchCtx(config, v1));
    expect(state.objects.map((o) => [o.name, o.status, o.versions])).toEqual(
      ['vm-a', 'vm-b', 'vm-c'].map((n) => [n, 'SUCCEEDED', [{ version: 'v1', replicas: 1, availableReplicas: 1, active: true, drifted: false }]]),
    );
    // What runs is what the records on the hosts say: own dirs, own pids, env and files as asked.
    const records = [0, 1, 2].map(record);
    expect(new Set(records.map((r) => r.pid)).size).toBe(3);
    for (const [i, r] of records.entries()) {
      expect(r).toMatchObject({ version: 'v1', digest: 'digest-v1', healthCheck: { http: { port: ports[i], path: '/healthz' } } });
      const environ = readFileSync(`/proc/${r.pid}/environ`, 'utf8').split('\0');
      expect(environ).toEqual(expect.arrayContaining(['DRIFTLESS_RELEASE=v1', `PORT=${ports[i]}`, 'CHANNEL=staging', `DRIFTLESS_HOST=vm-${'abc'[i]}`]));
      const script = path.join(fleet.hosts[i]!.baseDir, r.releaseDir.slice(r.releaseDir.indexOf('shop/')), 'bin/hello.sh');
      expect(statSync(script).mode & 0o777).toBe(0o755);
    }

    const before = snapshot();
    await plugin.fetch(fetchCtx(config, v1));
    await plugin.fetch(fetchCtx(config));
    expect(snapshot()).toEqual(before);

    expect(await plugin.apply(applyCtx(config, v1))).toEqual({ message: 'nothing to do: 3 of 3 host(s) run v1' });
    expect([0, 1, 2].map((i) => record(i).pid)).toEqual(records.map((r) => r.pid));
  });

  it('delete stops the process and removes the instance dir on every host', async () => {
    await converge(config, fast('v1'));
    const pids = [0, 1, 2].map((i) => record(i).pid);
    await plugin.delete!({ config, instance, signal: AbortSignal.timeout(20_000), logger: quiet });
    expect(await answers()).toEqual([undefined, undefined, undefined]);
    for (const h of fleet.hosts) expect(readdirSync(path.join(h.baseDir, 'shop/staging'))).toEqual([]);
    expect(pids.filter(running)).toEqual([]);
    expect((await plugin.fetch(fetchCtx(config))).objects.map((o) => o.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
  });
});
