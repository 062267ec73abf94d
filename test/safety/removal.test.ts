import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { gqlAt, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { answer, apply, convergedOn, events, release, removeShop, shopConfig, until } from './shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150 };

const stopped = (port: number) => async () => (await answer(port)) === undefined;

describe.each(DATABASES)('delivery safety: removal (%s)', (database) => {
  it('removing a channel orphans its workloads: no more — its processes stop, with events, and deleting the application stops the rest', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports }));
      await release(server, { version: 'v1' });
      await until(server, 'production', 'converged on v1', convergedOn('v1'));
      expect(await answer(ports.production)).toBe('hello from v1 in production');

      await apply(server, shopConfig({ ports, withoutProduction: true }));
      await waitFor(stopped(ports.production), 'the production process to stop', 20_000, 100);
      expect(await answer(ports.staging)).toBe('hello from v1 in staging');
      await waitFor(async () => (await events(server)).some((e) => e.type === 'INSTANCE_REMOVED'), 'the removal event');
      const story = (await events(server)).map((e) => `${e.type}: ${e.message}`);
      expect(story).toContain('CHANNEL_REMOVED: removed channel production from shop; its service is removed from its runtime');
      expect(story).toContain('INSTANCE_REMOVAL_REQUESTED: removing web from production (runtime local): its channel was removed from the config');
      expect(story).toContain('INSTANCE_REMOVED: removed web in shop/production from runtime local');

      const deleted = await server.data(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`);
      expect(deleted.deleteApplication.userErrors).toEqual([]);
      await waitFor(stopped(ports.staging), 'the staging process to stop', 20_000, 100);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('deleting a service removes its workloads in every channel', { timeout: 90_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports }));
      await release(server, { version: 'v1' });
      await until(server, 'production', 'converged on v1', convergedOn('v1'));
      const res = await server.data(`mutation { deleteService(input: { application: "shop", name: "web" }) { deletedId userErrors { code message } } }`);
      expect(res.deleteService.userErrors).toEqual([]);
      await waitFor(async () => (await stopped(ports.staging)()) && (await stopped(ports.production)()), 'both processes to stop', 20_000, 100);
      const app = await server.data(`{ application(name: "shop") { services { name } releaseChannels { name instances { id } } } }`);
      expect(app.application).toEqual({ services: [], releaseChannels: [{ name: 'staging', instances: [] }, { name: 'production', instances: [] }] });
      const unknown = await server.data(`mutation { deleteService(input: { application: "shop", name: "web" }) { userErrors { code message path } } }`);
      expect(unknown.deleteService.userErrors).toEqual([{ code: 'NOT_FOUND', message: 'application shop has no service "web"', path: ['name'] }]);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('a deleteApplication acknowledged just before the server was killed is finished by the restarted server', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-removal-'));
    const pg = database === 'postgresql' ? await createPostgresDatabase() : undefined;
    const env = { DRIFTLESS_STEADY_INTERVAL_MS: '400', DRIFTLESS_GATE_POLL_MS: '150', DRIFTLESS_DATA_DIR: dataDir, ...(pg ? { DATABASE_URL: pg.url } : {}) };
    let server: ChildServer | undefined;
    try {
      server = await startChildServer(env);
      // The workload ignores SIGTERM: stopping it takes the runtime's grace period, so the removal is
      // certainly under way (not done) when the server dies.
      const config = shopConfig({ ports, withoutProduction: true, env: { IGNORE_SIGTERM: '"1"' } });
      expect((await gqlAt(server.url, APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
      expect((await gqlAt(server.url, CREATE_RELEASE, { application: 'shop', service: 'web', params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
      // Deleted the moment it answers: its first apply may still be under way (nothing recorded yet).
      await waitFor(async () => (await answer(ports.staging)) === 'hello from v1 in staging', 'staging to serve v1', 60_000, 20);

      const deleted = await gqlAt(server.url, `mutation { deleteApplication(input: { name: "shop" }) { deletedId userErrors { message } } }`);
      expect(deleted.deleteApplication.userErrors).toEqual([]);
      await server.kill();
      expect(await answer(ports.staging)).toBe('hello from v1 in staging');

      server = await startChildServer(env);
      await waitFor(stopped(ports.staging), 'the restarted server to stop the workload', 30_000, 200)  .catch(async (err: Error) => {
        const evs = await gqlAt(server!.url, `{ events(first: 30) { nodes { type message } } }`).catch((e) => String(e));
        throw new Error(`${err.message}; the server said:\n${server!.output()}\nevents: ${JSON.stringify(evs)}`);
      });
      const url = server.url;
      await waitFor(async () => (await gqlAt(url, `{ events(first: 50) { nodes { type message } } }`)).events.nodes.some((e: any) => e.type === 'INSTANCE_REMOVED'), 'the removal event');
    } finally {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await pg?.drop();
    }
  });
});
