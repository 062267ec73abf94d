import net from 'node:net';
import pg from 'pg';

export type DatabaseKind = 'sqlite' | 'postgresql';

const PG_HOST = process.env.DRIFTLESS_TEST_PG_HOST ?? '127.0.0.1';
const PG_PORT = Number(process.env.DRIFTLESS_TEST_PG_PORT ?? 5432);
const PG_USER = process.env.DRIFTLESS_TEST_PG_USER ?? 'postgres';

async function postgresListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: PG_HOST, port: PG_PORT });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/**
 * The databases every server suite runs on: SQLite always, PostgreSQL when something listens on
 * 127.0.0.1:5432 (CI and every machine of this project have one). A missing PostgreSQL is said
 * out loud, never skipped silently.
 */
export const DATABASES: DatabaseKind[] = (await postgresListening()) ? ['sqlite', 'postgresql'] : ['sqlite'];
if (!DATABASES.includes('postgresql')) {
  // The `[driftless tests] ` prefix repeats this in the run's last lines (test/run/skip-report.ts).
  console.warn(`[driftless tests] the PostgreSQL leg of the server suites: nothing listens on ${PG_HOST}:${PG_PORT} (apt-get install postgresql, or set DRIFTLESS_TEST_PG_HOST/PORT)`);
}

/** A fresh, empty PostgreSQL database for one test server; dropped by the returned function. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `driftless_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`,
    drop: async () => {
      const c = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: 'postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
