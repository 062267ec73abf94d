import type { MikroORM } from '@mikro-orm/core';
import type { PluginHost } from '../plugin-host/index.js';

export interface ReadinessCheck {
  ok: boolean;
  /** Why not, in words for the person on call; never a connection string, host name or secret. */
  message?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; engine: ReadinessCheck; plugins: ReadinessCheck };
}

export interface ReadinessSources {
  orm: MikroORM;
  plugins: PluginHost;
  /** Absent when the engine is off (DRIFTLESS_ENGINE=off): then it is not required. */
  engine?: { lastLoopAt: number };
  /** How long the loop may go without claiming before it counts as stuck: its longest legitimate wait. */
  engineStallMs: number;
  checkTimeoutMs?: number;
}

function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What /readyz reports: the database answers, every migration is applied, the engine loop claimed
 * work within its interval, and plugin discovery finished. The messages are fixed texts: a driver's
 * error could carry a host or user name, so it is never passed through.
 */
export async function checkReadiness(src: ReadinessSources): Promise<Readiness> {
  const ms = src.checkTimeoutMs ?? 3_000;
  const database: ReadinessCheck = await within(ms, src.orm.em.getConnection().execute('SELECT 1 AS one'), 'the database')
    .then(() => ({ ok: true }))
    .catch(() => ({ ok: false, message: 'the database is not reachable' }));
  const migrations: ReadinessCheck = !database.ok
    ? { ok: false, message: 'unknown: the database is not reachable' }
    : await within(ms, src.orm.getMigrator().getPendingMigrations(), 'the migrations table')
        .then((pending) => (pending.length ? { ok: false, message: `${pending.length} migration(s) not applied` } : { ok: true }))
        .catch(() => ({ ok: false, message: 'could not read the migrations table' }));
  let engine: ReadinessCheck = { ok: true, message: 'the engine is off on this server' };
  if (src.engine) {
    const age = Date.now() - src.engine.lastLoopAt;
    engine = src.engine.lastLoopAt > 0 && age <= src.engineStallMs ? { ok: true } : { ok: false, message: src.engine.lastLoopAt ? `the engine loop has not claimed work for ${Math.round(age / 1000)} s (limit ${Math.round(src.engineStallMs / 1000)} s)` : 'the engine loop has not run yet' };
  }
  const list = src.plugins.list();
  const loaded = list.filter((p) => p.status === 'LOADED').length;
  const plugins: ReadinessCheck = loaded > 0 ? { ok: true, message: `${loaded} runtime plugin(s) loaded, ${list.length - loaded} refused` } : { ok: false, message: 'no runtime plugin is loaded' };
  return { ready: database.ok && migrations.ok && engine.ok && plugins.ok, checks: { database, migrations, engine, plugins } };
}
