import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { InstanceStore } from '../../server/engine/instance-store.js';
import { PartitionLeases } from '../../server/engine/partition-leases.js';
import { DATABASES } from '../helpers/databases.js';
import { fakeConfig, instanceIds, release, rowId, waitForChannel } from '../helpers/fake-config.js';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

afterEach(async () => {
  await control.reset();
});

describe.each(DATABASES)('issue 10 point 19: outcome writes (%s)', (database) => {
  it('every value written to an integer column is an integer: a backoff of 1012.5 ms and a fractional clock are rounded at the write', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig() })).applyConfig.userErrors).toEqual([]);
    await release(server, 'v1');
    const ids = await instanceIds(server);
    const orm = server.driftless.store.orm;
    const store = new InstanceStore(orm.em.getConnection() as never, server.driftless.store.kind);
    const now = Date.now() + 0.25;
    // Writes are fenced by partition ownership: this test owns every partition (the engine is off).
    const leases = new PartitionLeases({ execute: store.execute, kind: server.driftless.store.kind, owner: 'test-owner', leaseMs: 60_000, now: () => now, logger: server.driftless.logger, busy: () => false });
    await leases.start();
    const [row] = await store.load([ids.staging]);
    expect(row).toBeDefined();
    // 200 * 1.5^4: the pending backoff that froze an instance on PostgreSQL.
    const update = { ...row!, expectedVersion: row!.version, nextCheckAt: now + 1012.5, statusSince: now, convergedAt: now + 0.5, reasons: [], engineState: { pendingTicks: 5 } };
    const result = await store.write('test-owner', [update as never], now, () => leases.generationOf(row!.partition));
    expect([...result.written]).toEqual([ids.staging]);
    expect(await store.insertEvents([{ at: now, type: 'INSTANCE_APPLIED', applicationId: row!.applicationId, subject: 's', subjectId: row!.id, message: 'm' }])).toHaveLength(1);
    await store.wake({ ids: [ids.staging] }, now + 0.5);
    await leases.stop();
    const [after] = await store.load([ids.staging]);
    expect(Number.isInteger(after!.nextCheckAt)).toBe(true);
    expect(Number.isInteger(after!.statusSince)).toBe(true);
  });

  it('a row the database refuses is written alone and backs off: the rest of its batch is recorded', { timeout: 90_000 }, async () => {
    const FAST = { steadyIntervalMs: 300, gatePollMs: 100, maxAttempts: 100, maxBackoffMs: 4_000 };
    await using server = await startTestServer({ database, engine: FAST });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig({ extraServices: ['api'] }) })).applyConfig.userErrors).toEqual([]);
    await server.data(`mutation { pauseConvergence(input: { application: "shop" }) { userErrors { message } } }`);
    const web = await release(server, 'v1', 'web');
    await release(server, 'v1', 'api');
    // PostgreSQL stores no NUL character in text or jsonb: this failure's message makes web's row unwritable there.
    await control.failApply({ version: rowId(web) }, { message: 'disk said \u0000\u0000 and stopped' });
    await server.data(`mutation { resumeConvergence(input: { application: "shop" }) { userErrors { message } } }`);

    await waitForChannel(server, 'staging', 'CONVERGED', 'v1', 20_000, 'api');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1', 20_000, 'api');
    // The refused row is retried with backoff, not every second: few applies over 6 s.
    const webId = (await instanceIds(server)).staging;
    const applies = () => control.applyCalls().filter((c) => c.instanceId === webId).length;
    await waitFor(async () => applies() >= 1, 'web to be applied');
    const before = applies();
    await new Promise((r) => setTimeout(r, 6_000));
    expect(applies() - before).toBeLessThanOrEqual(database === 'postgresql' ? 4 : 8);
  });
});
