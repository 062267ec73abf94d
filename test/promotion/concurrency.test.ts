import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { gqlAt, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/flaky');
const SERVICES = ['api', 'web', 'worker'];

/** One channel with maxParallel 1 and three services on local processes sharing one state dir. */
function config(stateDir: string, ports: Record<string, number>): string {
  const services = SERVICES.map(
    (name) => `---
kind: Service
name: ${name}
application: shop
parameters: [{ name: version, required: true }]
spec:
  command: node
  args: [server.js]
  cwd: ${APP_DIR}
  env: { VERSION: "{{ params.version }}", CHANNEL: "{{ channel.name }}" }
  basePort: ${ports[name]}
  replicas: 1
  healthCheck: { path: /healthz, timeoutSeconds: 5 }
stabilizationWindow: 1s
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
    maxParallel: 1
${services.join('')}`;
}

/** From the process runtime's own records: when each service's replica started and was ready. */
function rollouts(stateDir: string): { service: string; start: number; ready: number }[] {
  return SERVICES.flatMap((service) => {
    const dir = path.join(stateDir, 'shop', 'production', service);
    return readdirSafe(dir)
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
      .filter((r) => r.readyAt)
      .map((r) => ({ service, start: Date.parse(r.startedAt), ready: Date.parse(r.readyAt) }));
  });
}

function expectOneAtATime(records: { service: string; start: number; ready: number }[]): void {
  expect(records.map((r) => r.service).sort()).toEqual(SERVICES);
  const sorted = [...records].sort((a, b) => a.start - b.start);
  for (let n = 1; n < sorted.length; n++) expect(sorted[n]!.start, `${sorted[n]!.service} started while ${sorted[n - 1]!.service} was still applying`).toBeGreaterThanOrEqual(sorted[n - 1]!.ready);
}

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

async function releaseAll(gql: Gql, version: string): Promise<void> {
  const results = await Promise.all(SERVICES.map((service) => gql(CREATE_RELEASE, { application: 'shop', service, params: { version } })));
  for (const r of results) expect(r.createRelease.userErrors).toEqual([]);
}

async function allConverged(gql: Gql, version: string): Promise<void> {
  await waitFor(async () => {
    const d = await gql(`{ application(name: "shop") { releaseChannels { instances { status convergedRelease { label } } } } }`);
    return d.application.releaseChannels[0].instances.every((i: any) => i.status === 'CONVERGED' && i.convergedRelease?.label === version);
  }, `every service on ${version}`, 60_000, 100);
}

async function sawLimit(gql: Gql): Promise<boolean> {
  const d = await gql(`{ events(application: "shop", first: 300) { nodes { type message } } }`);
  return d.events.nodes.some((e: any) => /waits for a rollout slot: 1 of 1 rollouts at once already run in shop\/production \(maxParallel 1\)/.test(e.message));
}

async function ports(): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePortRange(1)] as const)));
}

describe.each(DATABASES)('promotion control: maxParallel (%s)', (database) => {
  it('maxParallel: 1 never has two instances of the channel applying at once (from the runtime\'s own records)', { timeout: 120_000 }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-slots-'));
    await using server = await startTestServer({ database, engine: { steadyIntervalMs: 400, gatePollMs: 150 } });
    const gql: Gql = (q, v) => server.data(q, v);
    try {
      expect((await gql(APPLY_CONFIG, { documents: config(stateDir, await ports()) })).applyConfig.userErrors).toEqual([]);
      await releaseAll(gql, 'v1');
      await allConverged(gql, 'v1');
      expectOneAtATime(rollouts(stateDir));
      expect(await sawLimit(gql)).toBe(true);
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`);
      // An instance the other replica was ticking when the application went is removed only once that
      // tick cannot still be applying: its lease (15 s) plus the apply timeout margin (60 s,
      // server/engine/removal.ts), so the wait here is longer than a single server's.
      await waitFor(async () => SERVICES.every((s) => readdirSafe(path.join(stateDir, 'shop', 'production', s)).length === 0), 'the replicas to stop', 120_000, 200);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(DATABASES.includes('postgresql'))('promotion control: maxParallel across two server replicas (postgresql)', () => {
  it('two replicas on one PostgreSQL never apply two instances of the channel at once', { timeout: 240_000 }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-slots-'));
    const dirs = [mkdtempSync(path.join(os.tmpdir(), 'driftless-a-')), mkdtempSync(path.join(os.tmpdir(), 'driftless-b-'))];
    const pg = await createPostgresDatabase();
    const servers: ChildServer[] = [];
    try {
      for (const dir of dirs) servers.push(await startChildServer({ DATABASE_URL: pg.url, DRIFTLESS_DATA_DIR: dir, DRIFTLESS_STEADY_INTERVAL_MS: '400', DRIFTLESS_GATE_POLL_MS: '150' }));
      const [a, b] = servers.map((s) => (q: string, v?: Record<string, unknown>) => gqlAt(s.url, q, v)) as [Gql, Gql];
      expect((await a(APPLY_CONFIG, { documents: config(stateDir, await ports()) })).applyConfig.userErrors).toEqual([]);
      await releaseAll(b, 'v1');
      await allConverged(a, 'v1');
      expectOneAtATime(rollouts(stateDir));
      expect(await sawLimit(b)).toBe(true);
      await a(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`);
      // An instance the other replica was ticking when the application went is removed only once that
      // tick cannot still be applying: its lease (15 s) plus the apply timeout margin (60 s,
      // server/engine/removal.ts), so the wait here is longer than a single server's.
      await waitFor(async () => SERVICES.every((s) => readdirSafe(path.join(stateDir, 'shop', 'production', s)).length === 0), 'the replicas to stop', 120_000, 200);
    } finally {
      for (const s of servers) await s.stop();
      await pg.drop();
      for (const dir of [stateDir, ...dirs]) rmSync(dir, { recursive: true, force: true });
    }
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json') && f.startsWith('replica-'));
  } catch {
    return [];
  }
}
