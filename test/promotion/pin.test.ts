import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { answer, apply, convergedOn, events, release, removeShop, shopConfig, until } from '../safety/shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150 };

const PIN = `mutation($c: String!, $why: String!) { pinService(input: { application: "shop", service: "web", channel: $c, reason: $why }) { instance { pin { release { label } by reason } } userErrors { code message path } } }`;
const UNPIN = `mutation($c: String!) { unpinService(input: { application: "shop", service: "web", channel: $c }) { instance { pin { by } } userErrors { code message } } }`;
const ROLLBACK = `mutation($c: String, $to: ID, $pin: Boolean, $bad: Boolean, $why: String) { rollbackService(input: { application: "shop", service: "web", channel: $c, to: $to, pin: $pin, allowBad: $bad, reason: $why }) { rollbacks { channel from { label } to { label } } userErrors { code message path } } }`;

async function releaseInChannels(server: TestServer, id: string): Promise<Record<string, string>> {
  const data = await server.data(`query($id: ID!) { node(id: $id) { ... on Release { channels { channel status } } } }`, { id });
  return Object.fromEntries(data.node.channels.map((c: any) => [c.channel, c.status]));
}

describe.each(DATABASES)('promotion control: pins (%s)', (database) => {
  it('a pinned channel stays put through three releases, says who pinned it and why, and moves on when unpinned', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports }));
      await release(server, { version: 'v1' });
      await until(server, 'production', 'converged on v1', convergedOn('v1'));
      const pinned = await server.data(PIN, { c: 'production', why: 'incident 42: hold production' });
      expect(pinned.pinService).toEqual({ instance: { pin: { release: { label: 'v1' }, by: 'token:admin', reason: 'incident 42: hold production' } }, userErrors: [] });

      const ids: string[] = [];
      for (const version of ['v2', 'v3', 'v4']) {
        ids.push(await release(server, { version }));
        await until(server, 'staging', `converged on ${version}`, convergedOn(version));
      }
      const held = await until(server, 'production', 'held by the pin', (v) => v.reasons[0]?.code === 'PINNED');
      expect(held.status).toBe('WAITING');
      expect(held.convergedRelease!.label).toBe('v1');
      expect(held.reasons[0]!.message).toBe('v4 waits: web is pinned in production at v1 by token:admin: incident 42: hold production');
      expect(await answer(ports.production)).toBe('hello from v1 in production');
      expect((await releaseInChannels(server, ids[0]!)).production).toBe('SUPERSEDED');

      expect((await server.data(UNPIN, { c: 'production' })).unpinService).toEqual({ instance: { pin: null }, userErrors: [] });
      await until(server, 'production', 'converged on v4', convergedOn('v4'));
      expect(await answer(ports.production)).toBe('hello from v4 in production');
      const story = (await events(server)).map((e) => `${e.type}: ${e.message}`);
      expect(story).toContain('SERVICE_PINNED: token:admin pinned web in production at v1: incident 42: hold production');
      expect(story).toContain('SERVICE_UNPINNED: token:admin unpinned web in production (pinned by token:admin: incident 42: hold production)');
      expect(story.filter((m) => m.startsWith('ROLLOUT_STARTED') && m.includes('in production')).map((m) => m.split(': ')[1])).toEqual(['starting v1 in production', 'starting v4 in production']);
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });

  it('rollback --to a chosen release, --pin in one step; a release marked bad needs an admin who says so', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, withoutProduction: true }));
      const v1 = await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));
      await release(server, { version: 'v2' });
      await until(server, 'staging', 'converged on v2', convergedOn('v2'));
      await release(server, { version: 'v3' });
      await until(server, 'staging', 'converged on v3', convergedOn('v3'));

      const back = await server.data(ROLLBACK, { c: 'staging', to: v1, pin: true, why: 'v2 and v3 leak memory' });
      expect(back.rollbackService).toEqual({ rollbacks: [{ channel: 'staging', from: { label: 'v3' }, to: { label: 'v1' } }], userErrors: [] });
      const rolled = await until(server, 'staging', 'back on v1', (v) => v.status === 'ROLLED_BACK' && v.convergedRelease?.label === 'v1');
      expect(rolled.reasons[0]!.code).toBe('ROLLED_BACK_BY_USER');
      expect(await answer(ports.staging)).toBe('hello from v1 in staging');
      // Pinned there: a new release waits.
      await release(server, { version: 'v4' });
      await until(server, 'staging', 'held by the pin', (v) => v.reasons[0]?.code === 'PINNED');

      // v3 is marked bad in staging now: going back to it needs an admin's allowBad.
      await server.data(UNPIN, { c: 'staging' });
      await until(server, 'staging', 'converged on v4', convergedOn('v4'));
      const v3 = (await server.data(`{ application(name: "shop") { services { releases(first: 10) { nodes { id label } } } } }`)).application.services[0].releases.nodes.find((r: any) => r.label === 'v3').id;
      const refused = await server.data(ROLLBACK, { c: 'staging', to: v3 });
      expect(refused.rollbackService.userErrors).toEqual([{ code: 'FORBIDDEN', message: 'v3 is marked bad in staging (it failed or was rolled back there); rolling back to it needs an admin and allowBad: true', path: ['to'] }]);
      const forced = await server.data(ROLLBACK, { c: 'staging', to: v3, bad: true, why: 'v4 is worse' });
      expect(forced.rollbackService.userErrors).toEqual([]);
      await until(server, 'staging', 'on v3 by an admin', (v) => v.convergedRelease?.label === 'v3');
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});
