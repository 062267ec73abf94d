/**
 * The process under test: one Driftless server (started and stopped on request), the fake
 * runtime's control (its instance records are shared with the engine's workers), and the in-process baselines that must run next to the same data.
 * Steered by bench/run.ts over IPC (bench/lib/rpc.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execute, parse } from 'graphql';
import { pino } from 'pino';
import { control } from '@driftless/runtime-fake';
import { startDriftless, type Driftless } from '../server/app.js';
import { configFromEnv, type ServerConfig } from '../server/config.js';
import { authenticate } from '../server/auth/authenticate.js';
import { createLoaders } from '../schema/loaders.js';
import { driftlessSchema } from '../schema/build-schema.js';
import type { GraphQLContext, ServerHooks } from '../schema/context.js';
import { createTickPool } from '../worker/pool.js';
import type { TickInput } from '../worker/types.js';
import { createPostgresDatabase } from '../test/helpers/databases.js';
import { ADMIN_TOKEN, cloneTemplate, seedTemplate, TEMPLATE_APP, type Shape } from './lib/seed.js';
import { runFloor } from './lib/floor.js';
import { plainLoop } from './lib/plain-dashboard.js';

const now = () => performance.timeOrigin + performance.now();

let database: 'sqlite' | 'postgresql' = 'sqlite';
let dataDir = '';
let pgDb: { url: string; drop: () => Promise<void> } | undefined;
/** A database another child created and drops (`join`). */
let joinedUrl: string | undefined;
let server: Driftless | undefined;
/** When the engine published INSTANCE_CHANGED, per instance id (latest). */
const published = new Map<string, number>();

function config(engine: Partial<ServerConfig['engine']> & { enabled?: boolean } = {}): ServerConfig {
  const defaults = configFromEnv({});
  return {
    ...defaults,
    port: 0,
    dataDir,
    adminToken: ADMIN_TOKEN,
    databaseUrl: pgDb?.url ?? joinedUrl,
    logLevel: 'silent',
    testPlugins: true,
    engine: { ...defaults.engine, stabilizationMs: 0, ...engine },
    // The benchmarks open thousands of sockets with one token, in bursts.
    transport: { ...defaults.transport, maxSocketsPerToken: 100_000, maxUnauthenticatedConnections: 10_000 },
  };
}

async function start(engine: Partial<ServerConfig['engine']> & { enabled?: boolean } = {}): Promise<{ url: string; port: number }> {
  if (server) throw new Error('server already running');
  server = await startDriftless(config(engine), { logger: pino({ level: process.env.DRIFTLESS_BENCH_LOG ?? 'silent' }) });
  const live = server.live;
  const publish = live.publish.bind(live) as (...args: unknown[]) => void;
  (live as { publish: unknown }).publish = (topic: string, payload: { instanceId?: string }) => {
    if (topic === 'INSTANCE_CHANGED' && payload.instanceId) published.set(payload.instanceId, now());
    publish(topic, payload);
  };
  return { url: server.url, port: server.port };
}

async function stop(): Promise<void> {
  await server?.close();
  server = undefined;
}

function connection() {
  if (!server) throw new Error('no server');
  return server.store.orm.em.getConnection() as unknown as { execute: (sql: string, params?: unknown[], method?: string) => Promise<any> };
}

async function sql(query: string, params: unknown[] = []): Promise<any[]> {
  return connection().execute(query, params, 'all');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const methods: Record<string, (...args: any[]) => Promise<unknown>> = {
  async init(kind: 'sqlite' | 'postgresql') {
    database = kind;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-bench-'));
    if (kind === 'postgresql') pgDb = await createPostgresDatabase();
    return { dataDir, url: pgDb?.url };
  },

  /** Another child's PostgreSQL database (a second replica on it): this one does not drop it. */
  async join(url: string) {
    database = 'postgresql';
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-bench-'));
    joinedUrl = url;
    return { dataDir, url };
  },

  /** Hands the seeded SQLite database to another child (`attach`): this one forgets it, and leaves it. */
  async detach() {
    await stop();
    const dir = dataDir;
    dataDir = '';
    return { dataDir: dir };
  },

  /** Takes over a SQLite database another child seeded, so the server starts in a process that did no seeding. */
  async attach(dir: string) {
    database = 'sqlite';
    dataDir = dir;
    return { dataDir };
  },

  /** The fake runtime's state of every instance (converged on its desired release), read from the database in pages. */
  async primeFake() {
    await start({ enabled: false });
    let after = '';
    let n = 0;
    try {
      for (;;) {
        const rows = await sql(
          'SELECT si.id, si.desired_release_id, a.name AS app, c.name AS channel, s.name AS service FROM service_instances si JOIN applications a ON a.id = si.application_id JOIN release_channels c ON c.id = si.channel_id JOIN services s ON s.id = si.service_id WHERE si.id > ? ORDER BY si.id LIMIT 20000',
          [after],
        );
        if (rows.length === 0) break;
        await control.setStates(rows.map((r) => ({ instanceId: r.id, application: r.app, channel: r.channel, service: r.service, version: r.desired_release_id, replicas: 1, availableReplicas: 1, status: 'SUCCEEDED' as const, drifted: false })));
        n += rows.length;
        after = rows[rows.length - 1].id;
      }
    } finally {
      await stop();
    }
    return { instances: n };
  },

  /** CPU seconds of this process (all threads) so far. */
  async cpu() {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  },

  /** The engine's own view: instances scheduled, partitions owned, and the oldest check of any partition (ms ago; null: some not checked yet). */
  async coverage() {
    const engine = server!.engine!;
    const [row] = await sql('SELECT MIN(checked_at) AS oldest, SUM(CASE WHEN checked_at IS NULL THEN 1 ELSE 0 END) AS unchecked FROM engine_partitions WHERE owner IS NOT NULL');
    return { scheduled: engine.scheduled, partitions: engine.ownedPartitions().length, oldestAgoMs: row?.oldest === null || Number(row?.unchecked) > 0 ? null : Date.now() - Number(row.oldest), stats: { ...engine.stats } };
  },

  /** Makes every instance outside the template application due now, in the database only (each replica then `resync`s). */
  async makeAllDue(which: 'copies' | 'template' = 'copies') {
    await connection().execute(`UPDATE service_instances SET next_check_at = ? WHERE application_id ${which === 'copies' ? '<>' : '='} (SELECT id FROM applications WHERE name = ?)`, [Date.now(), TEMPLATE_APP], 'run');
    return now();
  },

  async resync() {
    await server!.engine!.resync();
  },

  async ownedPartitions() {
    return server?.engine?.ownedPartitions() ?? [];
  },

  /** Polls until every instance is CONVERGED; returns when (this process's clock, `now()`). */
  async waitAllConverged(timeoutMs: number) {
    const t0 = now();
    for (;;) {
      const [row] = await sql(`SELECT COUNT(*) AS n FROM service_instances WHERE status <> 'CONVERGED'`);
      if (Number(row.n) === 0) return now();
      if (now() - t0 > timeoutMs) throw new Error(`${row.n} instances not converged after ${timeoutMs} ms`);
      await sleep(20);
    }
  },

  /** Template through the API, copies through SQL, the fake primed for converged instances. */
  async seed(shape: Shape) {
    const t0 = Date.now();
    await start({ enabled: false });
    await seedTemplate(server!.url, shape);
    const states = await cloneTemplate(server!.store.orm, database, shape);
    await stop();
    if (states.length) await control.setStates(states);
    const ms = Date.now() - t0;
    return { instances: shape.applications * shape.channels * shape.services, ms };
  },

  start,
  stop,

  async stats() {
    const engine = server?.engine;
    return { t: (globalThis as any).__t, ...(engine?.stats ?? { claimed: 0, ticks: 0, batches: 0 }), at: now(), memory: process.memoryUsage() };
  },

  /**
   * Ticks per second over a window, after a warm-up: at least warmMs, and until every instance
   * was ticked once (new worker threads start, load the plugin and join the fake's replicas).
   */
  async measureTicks(warmMs: number, windowMs: number, instances: number) {
    const engine = server!.engine!;
    const warmEnd = Date.now() + warmMs;
    // Steady state: past the first full tick of every instance and one short re-check each (steady-check.ts).
    const giveUp = Date.now() + 120_000;
    while ((Date.now() < warmEnd || engine.stats.short < instances) && Date.now() < giveUp) await sleep(100);
    const a = { ...engine.stats, at: now() };
    await sleep(windowMs);
    const b = { ...engine.stats, at: now() };
    const seconds = (b.at - a.at) / 1000;
    const ticks = b.ticks - a.ticks;
    return { ticksPerSec: ticks / seconds, claimedPerSec: (b.claimed - a.claimed) / seconds, batches: b.batches - a.batches, written: b.written - a.written, shortShare: ticks ? (b.short - a.short) / ticks : 0, seconds };
  },

  async floor(windowMs: number) {
    if (server) throw new Error('stop the server before the floor loop');
    return runFloor({ kind: database, dataDir, pgUrl: pgDb?.url, windowMs });
  },

  async statusCounts() {
    const rows = await sql('SELECT status, COUNT(*) AS n FROM service_instances GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },

  async setLatency(ms: number | undefined) {
    await control.setLatency(ms);
  },

  /** Makes every instance outside the template application due now; resolves when all are CONVERGED. */
  async convergeAll(timeoutMs: number) {
    const t0 = now();
    // CPU of the whole process (main thread and workers): what the convergence cost, whatever
    // else the shared machine runs meanwhile.
    const cpu0 = process.cpuUsage();
    await connection().execute('UPDATE service_instances SET next_check_at = ? WHERE application_id <> (SELECT id FROM applications WHERE name = ?)', [Date.now(), TEMPLATE_APP], 'run');
    // The schedule lives in the engine's memory: it reads the database's again.
    await server!.engine!.resync();
    const ticks0 = server!.engine!.stats.ticks;
    for (;;) {
      const [row] = await sql(`SELECT COUNT(*) AS n FROM service_instances WHERE status <> 'CONVERGED'`);
      if (Number(row.n) === 0) break;
      if (now() - t0 > timeoutMs) throw new Error(`${row.n} instances not converged after ${timeoutMs} ms`);
      await sleep(20);
    }
    const cpu = process.cpuUsage(cpu0);
    return { ms: now() - t0, ticks: server!.engine!.stats.ticks - ticks0, cpuMs: (cpu.user + cpu.system) / 1000 };
  },

  /** Waits for the first apply of `version` (a release row id); returns its timestamp. */
  async firstApply(version: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = control.applyCalls().find((c) => c.version === version);
      if (call) return call.at;
      if (Date.now() > deadline) throw new Error(`no apply of ${version} within ${timeoutMs} ms`);
      await sleep(2);
    }
  },

  /**
   * Floor of steady state without a database: the instances' ticks (fetch + decide, the fake
   * runtime's states) straight into a warm worker pool of the engine's size, 4 batches of 500 in
   * flight, for `windowMs`. Run with the engine off (plugins loaded).
   */
  async poolFloor(windowMs: number) {
    const rows = await sql('SELECT si.id, si.target_release_id, si.target_state, a.name AS app, c.name AS channel, s.name AS service FROM service_instances si JOIN applications a ON a.id = si.application_id JOIN release_channels c ON c.id = si.channel_id JOIN services s ON s.id = si.service_id');
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    const inputs: TickInput[] = rows.map((r) => {
      const state = json(r.target_state);
      return {
        instanceId: r.id,
        identity: { instanceId: r.id, application: r.app, channel: r.channel, service: r.service, runtime: 'fake' },
        plugin: 'fake',
        runtimeConfig: {},
        target: { releaseId: r.target_release_id, version: r.target_release_id, params: state.params, spec: state.spec, env: state.env, digest: state.digest },
        mode: 'converge',
        timeouts: { fetchMs: 10_000, applyMs: 60_000 },
      };
    });
    const threads = config({}).engine.workerThreads;
    const pool = createTickPool({ maxThreads: threads, minThreads: threads });
    const plugins = server!.plugins.modulePaths();
    try {
      let next = 0;
      const batch = () => {
        const out = inputs.slice(next, next + 500);
        next = next + 500 >= inputs.length ? 0 : next + 500;
        return out;
      };
      // Warm: every thread has loaded the plugin.
      await Promise.all(Array.from({ length: 4 }, () => pool.run(batch(), plugins)));
      let ticks = 0;
      const t0 = now();
      const end = t0 + windowMs;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (now() < end) {
            const b = batch();
            await pool.run(b, plugins);
            ticks += b.length;
          }
        }),
      );
      return { ticksPerSec: ticks / ((now() - t0) / 1000) };
    } finally {
      await pool.close();
    }
  },

  /** Floor of reaction: a single tick straight into a (warm) worker pool until its apply call. */
  async reactionFloor(n: number) {
    const pool = createTickPool({ maxThreads: 1, minThreads: 1 });
    const plugins = server!.plugins.modulePaths();
    const out: number[] = [];
    try {
      for (let i = -3; i < n; i++) {
        const version = `floor-${Date.now()}-${i}`;
        const t0 = Date.now();
        await pool.run([{ instanceId: `floor-${i}`, identity: { instanceId: `floor-${i}`, application: 'floor', channel: 'c0', service: 's', runtime: 'fake' }, plugin: 'fake', runtimeConfig: { namespace: 'floor' }, target: { releaseId: version, version, params: {}, spec: { replicas: 1 }, env: {}, digest: version }, mode: 'converge', timeouts: { fetchMs: 10_000, applyMs: 60_000 } }], plugins);
        const at = await methods.firstApply!(version, 5_000);
        if (i >= 0) out.push((at as number) - t0);
        await sleep(20);
      }
    } finally {
      await pool.close();
    }
    return out;
  },

  publishedAt(instanceId: string) {
    return Promise.resolve(published.get(instanceId) ?? null);
  },

  async instanceId(app: string, channel: string, service: string) {
    const [row] = await sql(
      `SELECT si.id FROM service_instances si JOIN applications a ON a.id = si.application_id JOIN release_channels c ON c.id = si.channel_id JOIN services s ON s.id = si.service_id WHERE a.name = ? AND c.name = ? AND s.name = ?`,
      [app, channel, service],
    );
    return row?.id ?? null;
  },

  /** The dashboard query through graphql-js `execute` in this process, `concurrency` at a time. */
  async executeLoop(query: string, variables: Record<string, unknown>, windowMs: number, concurrency: number, withAnswer = false) {
    const schema = await driftlessSchema();
    const document = parse(query);
    const orm = server!.store.orm;
    const auth = await authenticate(orm.em.fork(), ADMIN_TOKEN);
    if (!auth.ok) throw new Error(auth.reason);
    const hooks: ServerHooks = { intentChanged: () => undefined, redactRuntimeConfig: (_p, c) => c, live: server!.live, engine: server!.engine, plugins: server!.plugins };
    const contextFor = (): GraphQLContext => {
      const em = orm.em.fork();
      return { em, viewer: auth.viewer, loaders: createLoaders(em), hooks };
    };
    let bytes = 0;
    const once = async () => {
      const result = await execute({ schema, document, contextValue: contextFor(), variableValues: variables });
      if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
      return result;
    };
    const answer = JSON.stringify(await once());
    bytes = answer.length;
    const latencies: number[] = [];
    const end = now() + windowMs;
    const t0 = now();
    let done = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (now() < end) {
          const s = now();
          JSON.stringify(await once());
          latencies.push(now() - s);
          done++;
        }
      }),
    );
    return { perSec: done / ((now() - t0) / 1000), latencies, bytes, answer: withAnswer ? answer : undefined };
  },

  /** Figure 4's floor: the same query through plain graphql-js over the same data, loaded once. */
  async plainLoop(query: string, variables: Record<string, unknown>, windowMs: number) {
    return plainLoop(server!.store.orm.em.fork(), query, variables, windowMs);
  },

  async rss() {
    return { ...process.memoryUsage(), threads: server ? 'running' : 'stopped' };
  },

  /** A full garbage collection, then the heap in use: what the process really holds (figure 6's detail). */
  async liveHeap() {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    return process.memoryUsage();
  },

  async exit() {
    await stop().catch(() => undefined);
    await pgDb?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    setImmediate(() => process.exit(0));
  },
};

process.on('message', async (m: { id: number; method: string; args: unknown[] }) => {
  const fn = methods[m.method];
  try {
    if (!fn) throw new Error(`unknown method ${m.method}`);
    const result = await fn(...m.args);
    process.send!({ id: m.id, method: m.method, result });
  } catch (err) {
    process.send!({ id: m.id, method: m.method, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
process.on('disconnect', () => {
  void methods.exit!();
});
