import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { fakeConfig, release, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

afterEach(async () => {
  await control.reset();
});

const WRITE = /^\s*(insert|update|delete|replace)\b/i;
const READS_INSTANCES = /^\s*select\b[\s\S]*\bservice_instances\b/i;

describe.each(DATABASES)('issue 17: a steady-state tick that changes nothing writes nothing (%s)', (database) => {
  it('converged instances are checked again and again; no statement reads or writes them while nothing changes, and drift ends that at once', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ database, engine: { steadyIntervalMs: 100, gatePollMs: 100, leaseMs: 60_000 } });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig({ extraServices: ['api', 'worker'] }) })).applyConfig.userErrors).toEqual([]);
    for (const service of ['web', 'api', 'worker']) await release(server, 'v1', service);
    for (const service of ['web', 'api', 'worker']) await waitForChannel(server, 'production', 'CONVERGED', 'v1', 20_000, service);
    const engine = server.driftless.engine!;
    // Past verification and soak bookkeeping: the ticks that record them are writes that change something.
    await waitFor(async () => {
      const before = engine.stats.written;
      await new Promise((r) => setTimeout(r, 600));
      return engine.stats.written === before;
    }, 'the last outcome that changes something', 20_000, 0);

    const knex = (server.driftless.store.orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
    const sqls: string[] = [];
    const onQuery = (q: { sql: string }) => void sqls.push(q.sql);
    knex.on('query', onQuery);
    // On SQLite the engine reads through a second, read-only connection (sqlite-reader.ts): counted too.
    const offReader = server.driftless.store.reader?.onStatement((sql) => void sqls.push(sql));
    expect(offReader !== undefined).toBe(database === 'sqlite');
    const ticks0 = engine.stats.ticks;
    const short0 = engine.stats.short;
    const unchanged0 = engine.stats.unchanged;
    try {
      // Six instances every 100 ms for 2 s: about a hundred ticks.
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      knex.off('query', onQuery);
      offReader?.();
    }
    const ticks = engine.stats.ticks - ticks0;
    expect(ticks).toBeGreaterThan(30);
    // Writes of the partition leases are the replica's own heartbeat (every lease / 3, here 20 s): none in the window.
    const writes = sqls.filter((s) => WRITE.test(s));
    expect(writes, writes.join('\n')).toEqual([]);
    // Every tick of the window was an outcome that changed nothing (up to a batch still in flight at either end).
    expect(engine.stats.unchanged - unchanged0).toBeGreaterThanOrEqual(ticks - 6);
    // And a short one: the instances were not even read again (steady-check.ts).
    expect(engine.stats.short - short0).toBeGreaterThanOrEqual(ticks - 6);
    const reads = sqls.filter((s) => READS_INSTANCES.test(s));
    expect(reads, reads.join('\n')).toEqual([]);

    // Drift on an instance its short checks look at: a full tick at once, which re-applies and says so.
    const applies = control.applyCalls().length;
    expect(await control.injectDrift({ service: 'api', channel: 'production' })).toBe(1);
    await waitFor(async () => control.applyCalls().length > applies, 'the drifted instance re-applied', 10_000);
    await waitForChannel(server, 'production', 'CONVERGED', 'v1', 10_000, 'api');
    const data = await server.data(`{ events(application: "shop", first: 500) { nodes { type message } } }`);
    expect(data.events.nodes.find((e: { type: string }) => e.type === 'INSTANCE_SELF_HEALED')?.message).toMatch(/re-applied v1 in production: .*drift/i);
    // Healed, it is back on short checks.
    const shortAfter = engine.stats.short;
    await waitFor(async () => engine.stats.short > shortAfter + 12, 'short checks again after the heal', 10_000);
  });
});
