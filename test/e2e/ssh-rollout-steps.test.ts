// Issue 16, progressive rollouts on the ssh runtime: a real server, four real sshd "hosts" on
// loopback ports (one process of the service each), and a release that takes the fleet in steps:
// 1 host, a pause, 2 hosts, a pause, every host. `promote` ends each pause.
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
      connectTimeoutSeconds: 5,
      hosts: fleet.hostConfigs((i) => ({ env: { PORT: String(ports[i]) } })),
    },
  };
  const application = {
    apiVersion: 'driftless/v1',
    kind: 'Application',
    name: 'fleet',
    releaseChannels: [{ name: 'production', runtime: 'vms', rollout: { steps: [{ replicas: 1 }, { pause: '1h' }, { replicas: 2 }, { pause: '1h' }, { replicas: 4 }] } }],
  };
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

const INSTANCE = `{ application(name: "fleet") { releaseChannels { instances { status reasons { code message } convergedRelease { label }
  rolloutStep { step of kind replicas reachedAt release { label } } observed } } } }`;

interface Instance {
  status: string;
  reasons: { code: string; message: string }[];
  convergedRelease: { label: string } | null;
  rolloutStep: { step: number; of: number; kind: string; replicas: number; reachedAt: string | null; release: { label: string } } | null;
  observed: { objects: { name: string; status: string; message?: string }[] };
}

async function answer(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    return (await res.text()).trim();
  } catch {
    return undefined;
  }
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

describe('ssh runtime: progressive rollouts (issue 16)', () => {
  it('takes a four-host fleet through steps 1 → 2 → all, holding the other hosts on the release before', { timeout: 150_000 }, async () => {
    await using fleet = await startSshFleet(4);
    const base = await freePortRange(4);
    const ports = [0, 1, 2, 3].map((i) => base + i);
    await using server = await startTestServer({ engine: FAST });
    const instance = async (): Promise<Instance> => (await server.data(INSTANCE)).application.releaseChannels[0].instances[0];
    const until = async (what: string, ok: (i: Instance) => boolean, ms = 60_000): Promise<Instance> => {
      let last: Instance | undefined;
      return waitFor(async () => ((last = await instance()), ok(last) ? last : undefined), what, ms, 150).catch((err: Error) => {
        throw new Error(`${err.message}; it was ${JSON.stringify(last)}`);
      });
    };
    const answers = () => Promise.all(ports.map(answer));
    const count = (list: (string | undefined)[], version: string) => list.filter((a) => a === `hello from ${version} in production`).length;
    const promote = async () => {
      const res = await server.data(`mutation { promoteRollout(input: { application: "fleet", service: "web", channel: "production" }) { userErrors { code message } } }`);
      expect(res.promoteRollout.userErrors).toEqual([]);
    };
    const pausedAt = (step: number) => (i: Instance) => i.rolloutStep?.step === step && i.rolloutStep.kind === 'PAUSE' && i.rolloutStep.reachedAt !== null;
    try {
      expect((await server.data(APPLY_CONFIG, { documents: documents(fleet, ports) })).applyConfig.userErrors).toEqual([]);
      expect((await server.data(CREATE_RELEASE, { application: 'fleet', service: 'web', params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
      await until('v1 on every host (a first deploy takes no steps)', (i) => i.status === 'CONVERGED' && i.convergedRelease?.label === 'v1');
      expect(count(await answers(), 'v1')).toBe(4);

      expect((await server.data(CREATE_RELEASE, { application: 'fleet', service: 'web', params: { version: 'v2' } })).createRelease.userErrors).toEqual([]);

      // Step 1 (one host), then its pause: vm-a alone on v2; the pause holds however many ticks pass.
      const first = await until('v2 paused after step 1', pausedAt(2));
      expect(first.rolloutStep).toMatchObject({ of: 5, replicas: 1, release: { label: 'v2' } });
      expect(first.reasons[0]!.message).toMatch(/^v2, step 2 of 5: pause, paused on 1 replica, (59m \d+s|1h) left/);
      await new Promise((r) => setTimeout(r, 1_500));
      let now = await answers();
      expect(now[0]).toBe('hello from v2 in production');
      expect([count(now, 'v2'), count(now, 'v1')]).toEqual([1, 3]);
      const held = (await instance()).observed.objects.find((o) => o.name === 'vm-d');
      expect(held).toMatchObject({ status: 'SUCCEEDED' });
      expect(held?.message).toMatch(/^keeps \S+ \(pid \d+\): step 2 of 5 runs \S+ on 1 other host\(s\)$/);

      // Step 3 (two hosts), then its pause.
      await promote();
      const second = await until('v2 paused after step 3', pausedAt(4));
      expect(second.rolloutStep).toMatchObject({ replicas: 2 });
      await new Promise((r) => setTimeout(r, 1_500));
      now = await answers();
      expect(now.slice(0, 2)).toEqual(['hello from v2 in production', 'hello from v2 in production']);
      expect([count(now, 'v2'), count(now, 'v1')]).toEqual([2, 2]);
      expect((await instance()).convergedRelease?.label).toBe('v1');

      // The last step is sent without `step`: every host, then an ordinary finish.
      await promote();
      await until('v2 on every host', (i) => i.status === 'CONVERGED' && i.convergedRelease?.label === 'v2');
      expect(count(await answers(), 'v2')).toBe(4);
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "fleet" }) { userErrors { message } } }`).catch(() => undefined);
      await waitFor(async () => (await answers()).every((a) => a === undefined), 'the fleet processes to stop', 15_000, 200).finally(() => killRecorded(fleet));
    }
  });
});
