import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { InstanceStore } from '../../server/engine/instance-store.js';
import { PartitionLeases } from '../../server/engine/partition-leases.js';
import { PARTITIONS } from '../../server/engine/partition-of.js';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { fakeConfig, instanceIds, release } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';

afterEach(async () => {
  await control.reset();
});

describe.each(DATABASES)('issue 17: fencing (%s)', (database) => {
  it("a stale owner's late write is refused once another replica took the partition; the new owner's write lands", async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig() })).applyConfig.userErrors).toEqual([]);
    await release(server, 'v1');
    const ids = await instanceIds(server);
    const kind = server.driftless.store.kind;
    const store = new InstanceStore(server.driftless.store.orm.em.getConnection() as never, kind);
    const logger = server.driftless.logger;
    let clock = Date.now();
    const leasesOf = (owner: string) => new PartitionLeases({ execute: store.execute, kind, owner, leaseMs: 2_000, now: () => clock, logger, busy: () => false });
    const stale = leasesOf('replica-a');
    await stale.start();
    expect(stale.owned.size).toBe(PARTITIONS);
    const [row] = await store.load([ids.staging]);
    const staleGeneration = stale.generationOf(row!.partition)!;

    // replica-a stops renewing (a long pause); its lease runs out and replica-b takes over.
    clock += 5_000;
    const fresh = leasesOf('replica-b');
    const taken = await fresh.round();
    expect(taken.gained).toHaveLength(PARTITIONS);
    expect(fresh.generationOf(row!.partition)).toBe(staleGeneration + 1);

    // replica-a wakes up and writes the outcome of the tick it had started: refused.
    const outcome = { ...row!, expectedVersion: row!.version, status: 'FAILED' as const, reasons: [{ code: 'APPLY_FAILED', message: 'stale' }], nextCheckAt: clock, engineState: {} };
    const late = await store.write('replica-a', [outcome as never], clock, () => staleGeneration, undefined, new Map([[row!.id, row!]]));
    expect([...late.written]).toEqual([]);
    expect([...late.refused]).toEqual([row!.id]);
    const [unchanged] = await store.load([ids.staging]);
    expect(unchanged!.status).toBe(row!.status);
    expect(unchanged!.version).toBe(row!.version);
    // Even with the new generation, a write under the old owner's name is refused.
    expect([...(await store.write('replica-a', [outcome as never], clock, () => staleGeneration + 1, undefined, new Map([[row!.id, row!]]))).written]).toEqual([]);

    // At its next renewal replica-a learns it lost every partition.
    const lost = await stale.round();
    expect(lost.lost).toHaveLength(PARTITIONS);
    expect(stale.owned.size).toBe(0);

    // The new owner's write of the same outcome lands.
    const landed = await store.write('replica-b', [outcome as never], clock, () => fresh.generationOf(row!.partition), undefined, new Map([[row!.id, row!]]));
    expect([...landed.written]).toEqual([row!.id]);
    const [after] = await store.load([ids.staging]);
    expect(after!.status).toBe('FAILED');
    await fresh.stop();
  });
});
