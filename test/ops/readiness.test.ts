import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { ADMIN_TOKEN, startTestServer } from '../helpers/server.js';
import { fakeConfig, applyAndRelease, waitForChannel } from '../helpers/fake-config.js';
import { Scrape } from './scrape.js';
import { waitFor } from '../helpers/wait.js';
import { startTcpProxy } from './tcp-proxy.js';

async function readyz(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('issue 14.2: /healthz and /readyz', () => {
  it('on SQLite: ready with every check named, no token needed, nothing sensitive in the body', { timeout: 60_000 }, async () => {
    await using server = await startTestServer();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await waitFor(async () => {
      const r = await readyz(server.url);
      return r.status === 200 ? r : undefined;
    }, 'ready', 20_000, 100);
    expect(ready.body.status).toBe('ready');
    expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'engine', 'migrations', 'plugins']);
    expect(JSON.stringify(ready.body)).not.toContain(server.dataDir);
  });

  it('with the engine off, readiness does not wait for it', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const r = await readyz(server.url);
    expect(r.status).toBe(200);
    expect(r.body.checks.engine).toEqual({ ok: true, message: 'the engine is off on this server' });
  });

  it.runIf(DATABASES.includes('postgresql'))('on PostgreSQL: unready while the database cannot be reached, ready again after', { timeout: 120_000 }, async () => {
    const db = await createPostgresDatabase();
    const url = new URL(db.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    try {
      await using server = await startTestServer({ databaseUrl: url.toString() });
      await waitFor(async () => (await readyz(server.url)).status === 200, 'ready at first', 20_000, 100);
      // The metrics that read the database work on PostgreSQL too.
      await applyAndRelease(server, fakeConfig({ productionGates: '      - manualApproval: {}' }), 'v1');
      await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
      const scrape = await waitFor(async () => {
        const s = await Scrape.from(`${server.url}/metrics`, ADMIN_TOKEN);
        return s.total('driftless_gates_waiting', { type: 'AWAITING_APPROVAL' }) === 1 ? s : undefined;
      }, 'production waiting for approval in the metrics', 20_000, 200);
      expect(scrape.total('driftless_instances', { application: 'shop', channel: 'staging', status: 'CONVERGED' })).toBe(1);

      await proxy.stop();
      const down = await waitFor(async () => {
        const r = await readyz(server.url);
        return r.status === 503 ? r : undefined;
      }, 'unready with the database gone', 30_000, 200);
      expect(down.body.status).toBe('unready');
      expect(down.body.checks.database).toEqual({ ok: false, message: 'the database is not reachable' });
      expect(down.body.checks.migrations.ok).toBe(false);
      // Nothing about where the database is.
      expect(JSON.stringify(down.body)).not.toMatch(new RegExp(`${proxy.port}|${url.pathname.slice(1)}|127\\.0\\.0\\.1`));
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
      // Health is about the process only: still fine.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      await proxy.start();
      const back = await waitFor(async () => {
        const r = await readyz(server.url);
        return r.status === 200 ? r : undefined;
      }, 'ready again once the database is back', 60_000, 250);
      expect(back.body.checks.database).toEqual({ ok: true });
      expect(back.body.checks.engine.ok).toBe(true);
      // Metrics answer again too (a scrape while the database was gone got a 503, not a hang).
      expect((await Scrape.from(`${server.url}/metrics`, ADMIN_TOKEN)).total('driftless_instances')).toBe(2);
    } finally {
      await proxy.close();
      await db.drop();
    }
  });
});
