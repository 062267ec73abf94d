import { describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { fakeConfig, release, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { collect, wsClient } from '../helpers/subscriptions.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

describe.each(DATABASES.filter((d) => d === 'postgresql'))('two server replicas on one %s database', () => {
  it('share the work and every replica\'s subscribers hear every change', async () => {
    const db = await createPostgresDatabase();
    try {
      await using a = await startTestServer({ databaseUrl: db.url, engine: FAST });
      await using b = await startTestServer({ databaseUrl: db.url, engine: FAST });
      await a.data(APPLY_CONFIG, { documents: fakeConfig() });
      const client = wsClient(b.url);
      const events = collect(client, `subscription { convergenceEvents(application: "shop") { type message actor } }`);
      try {
        await events.ready;
        await release(a, 'v1');
        // Both replicas answer for the same state.
        await waitForChannel(a, 'production', 'CONVERGED', 'v1');
        await waitForChannel(b, 'production', 'CONVERGED', 'v1');
        // Subscribers of B saw A's mutation and both channels converging, whichever engine ticked them.
        await waitFor(async () => events.items.filter((e) => e.convergenceEvents.type === 'INSTANCE_CONVERGED').length >= 2, 'two convergence events on replica B').catch((err) => {
          throw new Error(`${(err as Error).message}: got ${JSON.stringify(events.items)} ${JSON.stringify(events.errors)}`);
        });
        const types = events.items.map((e) => e.convergenceEvents.type);
        expect(types).toContain('RELEASE_CREATED');
        expect(events.errors).toEqual([]);
      } finally {
        events.stop();
        await client.dispose();
      }
    } finally {
      await control.reset();
      await db.drop();
    }
  });
});

describe('live updates on SQLite', () => {
  it('stay in the one process (no PostgreSQL bridge)', async () => {
    await using server = await startTestServer({ database: 'sqlite' });
    expect(server.driftless.store.kind).toBe('sqlite');
    await server.data(APPLY_CONFIG, { documents: fakeConfig() });
    const client = wsClient(server.url);
    const events = collect(client, `subscription { convergenceEvents(application: "shop") { type } }`);
    try {
      await events.ready;
      await release(server, 'v1');
      await waitFor(async () => events.items.some((e) => e.convergenceEvents.type === 'RELEASE_CREATED'), 'the release event');
    } finally {
      events.stop();
      await client.dispose();
      await control.reset();
    }
  });
});
