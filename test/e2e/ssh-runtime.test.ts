// A VM fleet over SSH, end to end: a real server, the ssh runtime plugin, three real sshd "hosts"
// on loopback ports, the hello app uploaded to each and rolled from v1 to v2 with maxUnavailable 1,
// and one host's sshd killed in the middle of the rollout.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startSshFleet, type SshFleet } from '../helpers/sshd.js';
import { waitFor } from '../helpers/wait.js';

const HELLO_SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/hello/app/server.js');
const FAST = { steadyIntervalMs: 500, gatePollMs: 200 };

const STATUS = /* GraphQL */ `{
  application(name: "fleet") { releaseChannels { name instances { status reasons { code message } convergedRelease { label } observed } } }
}`;

/** The config as YAML documents (JSON is YAML; it keeps the PEM key intact without indenting). */
function documents(fleet: SshFleet, ports: number[]): string {
  const runtime = {
    apiVersion: 'driftless/v1',
    kind: 'Runtime',
    name: 'vms',
    plugin: 'ssh',
    config: {
      user: fleet.user,
      privateKey: fleet.privateKey,
      knownHosts: fleet.hosts.map((h) => h.knownHostsLine).join('\n'),
      connectTimeoutSeconds: 2,
      hosts: fleet.hostConfigs((i) => ({ env: { PORT: String(ports[i]) } })),
    },
  };
  const application = { apiVersion: 'driftless/v1', kind: 'Application', name: 'fleet', releaseChannels: [{ name: 'production', runtime: 'vms' }] };
  const service = {
    apiVersion: 'driftless/v1',
    kind: 'Service',
    name: 'web',
    application: 'fleet',
    parameters: [{ name: 'version', type: 'string', required: true }],
    spec: {
      files: [{ path: 'server.js', source: HELLO_SERVER }],
      start: `${process.execPath} server.js`,
      env: { VERSION: '{{ params.version }}', CHANNEL: '{{ channel.name }}' },
      healthCheck: { http: { port: '$PORT', path: '/healthz' }, timeoutSeconds: 10 },
      maxUnavailable: 1,
    },
  };
  return [runtime, application, service].map((d) => JSON.stringify(d, null, 2)).join('\n---\n');
}

async function instance(server: TestServer) {
  const data = await server.data(STATUS);
  return data.application.releaseChannels[0].instances[0];
}

async function answer(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    return (await res.text()).trim();
  } catch {
    return undefined;
  }
}

async function converged(server: TestServer, label: string, ms = 40_000) {
  return waitFor(async () => {
    const i = await instance(server);
    return i.status === 'CONVERGED' && i.convergedRelease?.label === label ? i : undefined;
  }, `the fleet to converge on ${label}`, ms, 200).catch(async (err) => {
    throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await instance(server))}`);
  });
}

/** Last resort when delete did not run: stop every process a host records (their own sessions). */
function killRecorded(fleet: SshFleet): void {
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name === 'current.json') {
        try {
          process.kill(-Number(JSON.parse(readFileSync(full, 'utf8')).pid), 'SIGKILL');
        } catch {
          // already gone
        }
      } else if (statSync(full).isDirectory() && name !== 'releases') walk(full);
    }
  };
  for (const h of fleet.hosts) walk(h.baseDir);
}

describe('ssh runtime: a fleet of three real sshd hosts', () => {
  it('converges v1 on all hosts, holds v2 while one sshd is down (naming it), then converges on v2', { timeout: 90_000 }, async () => {
    await using fleet = await startSshFleet(3);
    const base = await freePortRange(3);
    const ports = [base, base + 1, base + 2];
    await using server = await startTestServer({ engine: FAST });
    try {
      const applied = await server.data(APPLY_CONFIG, { documents: documents(fleet, ports) });
      expect(applied.applyConfig.userErrors).toEqual([]);

      // The private key is a secret: never readable through the API.
      const runtimes = await server.gql(`{ runtimes { name plugin config } }`);
      const vms = runtimes.data.runtimes.find((r: any) => r.name === 'vms');
      expect(vms.config.privateKey).toBe('<redacted>');
      expect(vms.config.hosts).toHaveLength(3);
      expect(JSON.stringify(runtimes)).not.toContain('PRIVATE KEY');

      const v1 = await server.data(CREATE_RELEASE, { application: 'fleet', service: 'web', params: { version: 'v1' } });
      expect(v1.createRelease.userErrors).toEqual([]);
      const on1 = await converged(server, 'v1');
      expect(on1.observed.objects.map((o: any) => o.name)).toEqual(['vm-a', 'vm-b', 'vm-c']);
      expect(await Promise.all(ports.map(answer))).toEqual(ports.map(() => 'hello from v1 in production'));
      // Each host keeps its own record (they share this machine, not their state).
      const records = fleet.hosts.map((h) => JSON.parse(readFileSync(path.join(h.baseDir, 'fleet/production/web/current.json'), 'utf8')));
      expect(records.map((r) => r.version)).toEqual(on1.observed.objects.map((o: any) => o.versions[0].version));
      expect(new Set(records.map((r) => r.pid)).size).toBe(3);

      const v2 = await server.data(CREATE_RELEASE, { application: 'fleet', service: 'web', params: { version: 'v2' } });
      expect(v2.createRelease.userErrors).toEqual([]);
      // Mid-rollout: vm-a is on v2 (hosts roll in config order, one at a time); kill vm-b's sshd.
      await waitFor(async () => (await answer(ports[0]!)) === 'hello from v2 in production', 'vm-a to serve v2', 30_000, 50);
      await fleet.hosts[1]!.stop();

      const held = await waitFor(async () => {
        const i = await instance(server);
        return i.reasons.some((r: any) => /vm-b/.test(r.message) && /cannot reach host 127\.0\.0\.1:\d+: ECONNREFUSED/.test(r.message)) ? i : undefined;
      }, 'the instance to name the unreachable host', 20_000, 100);
      expect(held.status).not.toBe('CONVERGED');
      const unreachable = held.observed.objects.find((o: any) => o.name === 'vm-b');
      expect(unreachable).toMatchObject({ status: 'FAILED', message: `cannot reach host 127.0.0.1:${fleet.hosts[1]!.port}: ECONNREFUSED` });
      // A few more ticks: still not converged, and vm-c keeps serving (maxUnavailable 1 is used up by vm-b).
      await new Promise((r) => setTimeout(r, 2_000));
      const still = await instance(server);
      expect(still.status).not.toBe('CONVERGED');
      expect(still.convergedRelease.label).toBe('v1');
      expect(await answer(ports[2]!)).toMatch(/^hello from v[12] in production$/);

      await fleet.hosts[1]!.start();
      await converged(server, 'v2');
      expect(await Promise.all(ports.map(answer))).toEqual(ports.map(() => 'hello from v2 in production'));
    } finally {
      // Deleting the application stops the processes on every host.
      await server.data(`mutation { deleteApplication(input: { name: "fleet" }) { userErrors { message } } }`).catch(() => undefined);
      await waitFor(async () => (await Promise.all(ports.map(answer))).every((a) => a === undefined), 'the fleet processes to stop', 15_000, 200).finally(() =>
        killRecorded(fleet),
      );
    }
  });
});
