// Things going wrong with real sshd: an unreachable host, keys the host refuses, a host key that
// does not match, a release that never starts, an aborted apply.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  fleet = await startSshFleet(2);
  const base = await freePortRange(2);
  ports = [base, base + 1];
  config = fleetConfig(fleet, ports);
});
afterEach(async () => {
  await plugin.delete!({ config, instance, signal: AbortSignal.timeout(20_000), logger: quiet });
});
afterAll(async () => {
  await fleet?.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('ssh runtime: failures', () => {
  it('an unreachable host is its own FAILED object; apply serves the others without throwing; all unreachable throws', async () => {
    const closed = await freePortRange(1);
    const withDead: SshRuntimeConfig = { ...config, hosts: [...config.hosts, { name: 'vm-dead', address: '127.0.0.1', port: closed }], strictHostKeyChecking: false };
    const v1 = helloTarget('v1', { maxUnavailable: 3 });
    const result = await plugin.apply(applyCtx(withDead, v1));
    expect(result?.message).toMatch(new RegExp(`vm-dead unreachable \\(cannot reach host 127\\.0\\.0\\.1:${closed}: ECONNREFUSED\\)`));
    const state = await plugin.fetch(fetchCtx(withDead, v1));
    expect(state.objects.map((o) => [o.name, o.status])).toEqual([['vm-a', 'SUCCEEDED'], ['vm-b', 'SUCCEEDED'], ['vm-dead', 'FAILED']]);
    expect(state.objects[2]).toEqual({ name: 'vm-dead', status: 'FAILED', versions: [], message: `cannot reach host 127.0.0.1:${closed}: ECONNREFUSED` });
    expect(await plugin.apply(applyCtx(withDead, v1))).toEqual({ message: `waiting: vm-dead unreachable (cannot reach host 127.0.0.1:${closed}: ECONNREFUSED)` });

    const onlyDead = { ...withDead, hosts: [withDead.hosts[2]!] };
    const err = await rejection(plugin.fetch(fetchCtx(onlyDead, v1)));
    expect(err.name).toBe('RetryableError');
    expect(err.message).toBe(`no host answered: vm-dead: cannot reach host 127.0.0.1:${closed}: ECONNREFUSED`);
  });

  it('a key the hosts do not accept reads as a clear per-host error that never shows the key', async () => {
    const keyFile = path.join(fleet.dir, 'stranger_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const stranger = readFileSync(keyFile, 'utf8');
    const err = await rejection(plugin.fetch(fetchCtx({ ...config, privateKey: stranger })));
    expect(err.name).toBe('RetryableError');
    expect(err.message).toBe(
      `no host answered: vm-a: authentication as "${fleet.user}" failed on 127.0.0.1:${fleet.hosts[0]!.port}: the host did not accept privateKey; ` +
        `vm-b: authentication as "${fleet.user}" failed on 127.0.0.1:${fleet.hosts[1]!.port}: the host did not accept privateKey`,
    );
    for (const line of stranger.split('\n').filter((l) => l.length > 10)) expect(err.message).not.toContain(line);
    expect(err.stack ?? '').not.toContain('PRIVATE KEY');
  });

  it('a host key that does not match knownHosts refuses that host, naming its fingerprint', async () => {
    // vm-b's entry claims vm-a's key.
    const swapped = `[127.0.0.1]:${fleet.hosts[1]!.port} ${fleet.hosts[0]!.knownHostsLine.split(' ').slice(1).join(' ')}\n${fleet.hosts[0]!.knownHostsLine}`;
    const state = await plugin.fetch(fetchCtx({ ...config, knownHosts: swapped }));
    expect(state.objects[0]).toMatchObject({ name: 'vm-a', status: 'PENDING' });
    expect(state.objects[1]).toEqual({
      name: 'vm-b',
      status: 'FAILED',
      versions: [],
      message: `cannot connect to 127.0.0.1:${fleet.hosts[1]!.port}: host key of 127.0.0.1:${fleet.hosts[1]!.port} (${fleet.hosts[1]!.fingerprint}) does not match its knownHosts entry (possible man-in-the-middle)`,
    });
    const pinned = await plugin.fetch(fetchCtx({ ...config, knownHosts: undefined, hostKeyFingerprints: fleet.hosts.map((h) => h.fingerprint) }));
    expect(pinned.objects.map((o) => o.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('a release that exits at start fails apply with its log; the other host keeps serving the old one', async () => {
    await converge(config, helloTarget('v1', { maxUnavailable: 2 }));
    const bad = helloTarget('v2', { start: `echo "boom: missing config" >&2; exit 3` });
    const err = await rejection(plugin.apply(applyCtx(config, bad)));
    expect(err.name).toBe('RetryableError');
    expect(err.message).toMatch(/^vm-a: v2 \(pid \d+\) exited during start; last log lines: boom: missing config$/);
    expect(await httpGet(ports[1]!)).toBe('hello from v1 in staging');
    const state = await plugin.fetch(fetchCtx(config, bad));
    expect(state.objects[0]).toMatchObject({ name: 'vm-a', status: 'FAILED', versions: [{ version: 'v2', active: false, drifted: true }] });
    expect(state.objects[1]).toMatchObject({ name: 'vm-b', status: 'PENDING', versions: [{ version: 'v1', active: true }] });
  });

  it('an aborted apply returns promptly and closes its connections', async () => {
    const slow = helloTarget('v1', { start: 'sleep 30', healthCheck: { http: { port: '$PORT', path: '/' }, timeoutSeconds: 20 } });
    const started = Date.now();
    const err = await rejection(plugin.apply(applyCtx(config, slow, AbortSignal.timeout(1_500))));
    expect(err.name).toMatch(/TimeoutError|AbortError/);
    expect(Date.now() - started).toBeLessThan(4_000);
    // The step wrote its record before waiting: the host tells the truth about the half-done step.
    const state = await plugin.fetch(fetchCtx(config, slow));
    expect(state.objects[0]).toMatchObject({ name: 'vm-a', status: 'PENDING', versions: [{ version: 'v1', active: false }] });
  });
});
