import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer } from '../helpers/server.js';
import { answer, apply, approve, convergedOn, events, release, removeShop, shopConfig, until } from './shop.js';

const FAST = { steadyIntervalMs: 400, gatePollMs: 150 };
const APPROVAL = ['manualApproval: { minApprovers: 1 }'];

describe.each(DATABASES)('delivery safety: rollbacks (%s)', (database) => {
  it('a rollback can send the engine into a hot loop: no more — a release waiting after a rollback writes a bounded number of events', { timeout: 120_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: FAST });
    try {
      await apply(server, shopConfig({ ports, productionGates: APPROVAL }));
      for (const version of ['v1', 'v2']) {
        const id = await release(server, { version });
        await until(server, 'staging', `converged on ${version}`, convergedOn(version));
        await approve(server, id, 'production');
        await until(server, 'production', `converged on ${version}`, convergedOn(version));
      }

      // The CLI says where it goes: back to v1, leaving v2 (not "heading to v2").
      const cli = await runCli(['rollback', 'shop/web', '--channel', 'production'], { url: server.url });
      expect(cli.code).toBe(0);
      expect(cli.stdout).toBe('Rolling back shop/web:\n  production: back to v1, leaving v2 (marked bad there; a new release clears the way)\nFollow it with: driftless status shop\n');
      await until(server, 'production', 'rolled back to v1', (v) => v.status === 'ROLLED_BACK' && v.convergedRelease?.label === 'v1');
      const status = await runCli(['status', 'shop'], { url: server.url });
      expect(status.stdout).toMatch(/production\s+web\s+ROLLED_BACK\s+v1 \(v2 rolled back\)\s+back on v1: v2 was rolled back by token:admin/);

      // v3 waits in production for its approval: the wait must not turn into a stream of events.
      await release(server, { version: 'v3' });
      await until(server, 'staging', 'converged on v3', convergedOn('v3'));
      await until(server, 'production', 'waiting for approval of v3', (v) => v.status === 'WAITING' && v.reasons[0]?.code === 'AWAITING_APPROVAL');
      const before = (await events(server)).length;
      await new Promise((r) => setTimeout(r, 3_000));
      const during = (await events(server)).slice(before);
      expect(during).toEqual([]);
      const rolledBack = (await events(server)).filter((e) => e.type === 'INSTANCE_ROLLED_BACK');
      expect(rolledBack.map((e) => e.message)).toEqual(['production is back on v1']);
      expect(await answer(ports.production)).toBe('hello from v1 in production');
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});
