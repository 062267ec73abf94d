import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARTITIONS } from '../../server/engine/partition-of.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const ENGINE = { steadyIntervalMs: 300, gatePollMs: 100, leaseMs: 1_500 };

function owned(servers: TestServer[]): number[][] {
  return servers.map((s) => s.driftless.engine!.ownedPartitions());
}

/** Every partition owned by exactly one replica, and each replica holds its fair share (or one less). */
function expectSplit(servers: TestServer[]): void {
  const sets = owned(servers);
  const all = sets.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: PARTITIONS }, (_, n) => n));
  const share = Math.ceil(PARTITIONS / servers.length);
  for (const set of sets) expect(set.length).toBeGreaterThanOrEqual(PARTITIONS - share * (servers.length - 1));
  for (const set of sets) expect(set.length).toBeLessThanOrEqual(share);
}

async function balanced(servers: TestServer[], what: string): Promise<void> {
  const share = Math.ceil(PARTITIONS / servers.length);
  await waitFor(async () => {
    const sets = owned(servers);
    return sets.flat().length === PARTITIONS && new Set(sets.flat()).size === PARTITIONS && sets.every((s) => s.length <= share && s.length >= PARTITIONS - share * (servers.length - 1));
  }, what, 20_000, 50).catch((err) => {
    throw new Error(`${(err as Error).message}: ${JSON.stringify(owned(servers).map((s) => s.length))}`);
  });
  expectSplit(servers);
}

describe.runIf(DATABASES.includes('postgresql'))('issue 17: partitions split across replicas (postgresql)', () => {
  it('two replicas split the partitions; a third joins and takes its share; one that stops hands its partitions over', { timeout: 90_000 }, async () => {
    const db = await createPostgresDatabase();
    try {
      await using a = await startTestServer({ databaseUrl: db.url, engine: ENGINE });
      // Alone, one replica owns every partition.
      expect(a.driftless.engine!.ownedPartitions()).toHaveLength(PARTITIONS);
      await using b = await startTestServer({ databaseUrl: db.url, engine: ENGINE });
      await balanced([a, b], 'two replicas to hold 32 partitions each');
      expect(owned([a, b]).map((s) => s.length)).toEqual([32, 32]);
      const c = await startTestServer({ databaseUrl: db.url, engine: ENGINE });
      try {
        await balanced([a, b, c], 'three replicas to hold 22, 22 and 20');
        expect(owned([a, b, c]).map((s) => s.length).sort()).toEqual([20, 22, 22]);
      } finally {
        await c.close();
      }
      // A graceful stop hands its partitions back; the others take them.
      await balanced([a, b], 'the two left to own every partition again');
    } finally {
      await db.drop();
    }
  });
});

describe.each(DATABASES.filter((d) => d === 'sqlite'))('issue 17: one server owns every partition (%s)', (database) => {
  it('owns all of them, and a restart on the same file owns them again at once', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-partitions-'));
    try {
      const first = await startTestServer({ database, engine: ENGINE, dataDir });
      expect(first.driftless.engine!.ownedPartitions()).toHaveLength(PARTITIONS);
      // Killed, not stopped: the leases stay in the file as they were.
      await first.driftless.store.orm.em.getConnection().execute('UPDATE engine_partitions SET owner = ?, expires_at = ?', ['a-previous-life', Date.now() + 3_600_000]);
      await first.close();
      await using second = await startTestServer({ database, engine: ENGINE, dataDir });
      expect(second.driftless.engine!.ownedPartitions()).toHaveLength(PARTITIONS);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
