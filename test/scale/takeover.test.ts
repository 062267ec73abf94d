import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PARTITIONS } from '../../server/engine/partition-of.js';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { gqlAt, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/flaky');
const SERVICES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
const LEASE_MS = 2_000;

function config(stateDir: string, ports: number[]): string {
  const services = SERVICES.map(
    (name, n) => `---
kind: Service
name: ${name}
application: shop
parameters: [{ name: version, required: true }]
spec:
  command: node
  args: [server.js]
  cwd: ${APP_DIR}
  env: { VERSION: "{{ params.version }}" }
  basePort: ${ports[n]}
  replicas: 1
  healthCheck: { path: /healthz, timeoutSeconds: 10 }
stabilizationWindow: 2s
`,
  );
  return `kind: Runtime
name: local
plugin: process
config: { stateDir: ${JSON.stringify(stateDir)} }
---
kind: Application
name: shop
releaseChannels:
  - name: production
    runtime: local
${services.join('')}`;
}

/** Every replica the process runtime ever started, by service, from its own records (sampled). */
class ReplicaLog {
  readonly seen = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout;
  constructor(private readonly stateDir: string) {
    this.timer = setInterval(() => this.sample(), 50);
  }
  sample(): void {
    for (const service of SERVICES) {
      const dir = path.join(this.stateDir, 'shop', 'production', service);
      let names: string[] = [];
      try {
        names = readdirSync(dir).filter((f) => /^replica-.*\.json$/.test(f));
      } catch {
        continue;
      }
      for (const name of names) {
        try {
          const record = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { id: string; version: string };
          let set = this.seen.get(service);
          if (!set) this.seen.set(service, (set = new Set()));
          set.add(`${record.version}:${record.id}`);
        } catch {
          // removed meanwhile
        }
      }
    }
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
  running(): number {
    let n = 0;
    for (const service of SERVICES) {
      try {
        n += readdirSync(path.join(this.stateDir, 'shop', 'production', service)).filter((f) => /^replica-.*\.json$/.test(f)).length;
      } catch {
        // none
      }
    }
    return n;
  }
}

describe.runIf(DATABASES.includes('postgresql'))('issue 17: a replica killed mid-rollout (postgresql)', () => {
  it('loses its partitions to the other two within its lease; the rollout converges and no service is applied twice', { timeout: 180_000 }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-takeover-'));
    const dirs = [0, 1, 2].map((n) => mkdtempSync(path.join(os.tmpdir(), `driftless-replica-${n}-`)));
    const db = await createPostgresDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const servers: ChildServer[] = [];
    const log = new ReplicaLog(stateDir);
    try {
      for (const dir of dirs) servers.push(await startChildServer({ DATABASE_URL: db.url, DRIFTLESS_DATA_DIR: dir, DRIFTLESS_LEASE_MS: String(LEASE_MS), DRIFTLESS_STEADY_INTERVAL_MS: '500', DRIFTLESS_GATE_POLL_MS: '150', DRIFTLESS_STABILIZATION_MS: '2000' }));
      const owners = dirs.map((dir) => readFileSync(path.join(dir, 'server-id'), 'utf8').trim());
      const gql = (n: number) => (q: string, v?: Record<string, unknown>) => gqlAt(servers[n]!.url, q, v);
      const ports = await Promise.all(SERVICES.map(() => freePortRange(1)));
      expect((await gql(0)(APPLY_CONFIG, { documents: config(stateDir, ports) })).applyConfig.userErrors).toEqual([]);
      // The three have split the partitions.
      await waitFor(async () => new Set((await client.query('SELECT owner FROM engine_partitions WHERE expires_at > $1', [Date.now()])).rows.map((r) => r.owner)).size === 3, 'three owners', 20_000, 100);

      // The victim: the replica that owns the most of the services' instances.
      const { rows } = await client.query('SELECT p.owner FROM service_instances si JOIN engine_partitions p ON p.id = si.partition');
      const counts = owners.map((o) => rows.filter((r) => r.owner === o).length);
      const victim = counts.indexOf(Math.max(...counts));
      expect(counts[victim]).toBeGreaterThan(0);
      const survivor = (victim + 1) % 3;

      for (const service of SERVICES) expect((await gql(survivor)(CREATE_RELEASE, { application: 'shop', service, params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
      // Mid-rollout: replicas are starting, none has stayed healthy through its 2 s window yet.
      await waitFor(async () => log.running() > 0, 'the first replica to start', 20_000, 20);
      await servers[victim]!.kill();
      const killedAt = Date.now();

      // Its partitions are owned again, by the two alive, within its lease (and the round of a second).
      await waitFor(async () => {
        const owned = (await client.query('SELECT owner FROM engine_partitions WHERE expires_at > $1', [Date.now()])).rows;
        return owned.length === PARTITIONS && owned.every((r) => r.owner !== owners[victim]);
      }, 'the partitions of the killed replica to be taken over', 20_000, 50);
      const takeoverMs = Date.now() - killedAt;
      console.log(`[takeover] replica ${victim} (owner of ${counts[victim]} of ${SERVICES.length} instances) killed mid-rollout; its partitions owned again after ${takeoverMs} ms (lease ${LEASE_MS} ms)`);
      expect(takeoverMs).toBeLessThan(3 * LEASE_MS + 2_000);

      await waitFor(async () => {
        const d = await gql(survivor)(`{ application(name: "shop") { releaseChannels { instances { status convergedRelease { label } } } } }`);
        return d.application.releaseChannels[0].instances.every((i: any) => i.status === 'CONVERGED' && i.convergedRelease?.label === 'v1');
      }, 'every service converged on v1', 90_000, 200);
      log.stop();
      // From the runtime's own records: one replica started per service, never a second.
      for (const service of SERVICES) expect([...(log.seen.get(service) ?? [])], `replicas started for ${service}`).toHaveLength(1);

      await gql(survivor)(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`);
      // The killed replica may have been ticking some of them: their removal waits out its lease and the apply margin.
      await waitFor(async () => log.running() === 0, 'the replicas to stop', 120_000, 200);
    } finally {
      log.stop();
      for (const s of servers) await s.stop();
      await client.end();
      await db.drop();
      for (const dir of [stateDir, ...dirs]) rmSync(dir, { recursive: true, force: true });
    }
  });
});
