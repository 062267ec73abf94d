/**
 * The "floor" of steady-state throughput: a plain loop in one thread that does what a steady-state
 * tick must do at the very least: read a batch of due rows, call the plugin's fetch for each, decide,
 * and write the same columns back in one batched UPDATE. No scheduler, leases, worker threads,
 * gates, events or ORM: the driver (sqlite3 or pg) straight.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import { fakePlugin } from '@driftless/runtime-fake';
import type { TargetState } from '@driftless/plugin-sdk';
import { decide } from '../../worker/decide.js';

type Query = (sql: string, params?: unknown[]) => Promise<any[]>;

interface Db {
  query: Query;
  close(): Promise<void>;
}

async function openSqlite(dataDir: string): Promise<Db> {
  const db = new sqlite3.Database(path.join(dataDir, 'driftless.db'));
  const query: Query = (sql, params = []) => new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows))));
  for (const p of ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 5000', 'PRAGMA cache_size = -65536']) await query(p);
  return { query, close: () => new Promise((r) => db.close(() => r())) };
}

async function openPostgres(url: string): Promise<Db> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let n = 0;
  const query: Query = async (sql, params = []) => (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
  return {
    query: async (sql, params) => {
      n = 0;
      return query(sql, params);
    },
    close: () => client.end(),
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function runFloor(opts: { kind: 'sqlite' | 'postgresql'; dataDir: string; pgUrl?: string; windowMs: number; batch?: number }): Promise<{ ticksPerSec: number; seconds: number }> {
  const pgKind = opts.kind === 'postgresql';
  const db = pgKind ? await openPostgres(opts.pgUrl!) : await openSqlite(opts.dataDir);
  const batch = opts.batch ?? 500;
  try {
    const names = new Map<string, string>();
    for (const table of ['applications', 'release_channels', 'services']) for (const r of await db.query(`SELECT id, name FROM ${table}`)) names.set(r.id, r.name);
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    const cast = (i: number, type: string) => (pgKind ? `v.column${i}::${type}` : `v.column${i}`);
    const signal = new AbortController().signal;
    let ticks = 0;
    const t0 = performance.now();
    const end = t0 + opts.windowMs;
    while (performance.now() < end) {
      const rows = await db.query('SELECT * FROM service_instances ORDER BY next_check_at LIMIT ?', [batch]);
      const now = Date.now();
      const params: unknown[] = [];
      for (const r of rows) {
        const state = parse(r.target_state);
        const target: TargetState = { releaseId: r.target_release_id, version: r.target_release_id, params: state.params, spec: state.spec, env: state.env, digest: state.digest };
        const instance = { instanceId: r.id, application: names.get(r.application_id)!, channel: names.get(r.channel_id)!, service: names.get(r.service_id)!, runtime: 'fake' };
        const observed = await fakePlugin.fetch({ config: {}, instance, target, signal, logger: silent });
        const decision = decide(observed, target);
        const json = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
        params.push(r.id, r.target_release_id, json(r.target_state), r.converged_release_id, r.converged_at, decision.converged ? 'CONVERGED' : 'CONVERGING', JSON.stringify(decision.reasons), r.status_since, JSON.stringify(observed), now, json(r.engine_state), now);
      }
      const tuple = `(${new Array(12).fill('?').join(',')})`;
      await db.query(
        `UPDATE service_instances AS si SET target_release_id = v.column2, target_state = ${cast(3, 'jsonb')}, converged_release_id = v.column4,
           converged_at = ${cast(5, 'bigint')}, status = v.column6, reasons = ${cast(7, 'jsonb')}, status_since = ${cast(8, 'bigint')}, observed = ${cast(9, 'jsonb')},
           next_check_at = ${cast(10, 'bigint')}, engine_state = ${cast(11, 'jsonb')}, updated_at = ${cast(12, 'bigint')}, version = si.version + 1
         FROM (VALUES ${rows.map(() => tuple).join(',')}) AS v WHERE si.id = v.column1`,
        params,
      );
      ticks += rows.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { ticksPerSec: ticks / seconds, seconds };
  } finally {
    await db.close();
  }
}
