import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileRelease, parseConfig } from '../../server/compiler/index.js';
import type { CompiledChannelState } from '../../server/compiler/types.js';
import { openStore } from '../../server/store/orm.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { fakeConfig, instances, release, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';

/**
 * A database as the version before immutable releases left it (migrations 0001–0002): releases
 * without labels or compiled states, instances converged on v1 in both channels. The upgraded
 * server must carry on: label them, find their compiled states, release on top, roll back to them.
 */
async function seedOldDatabase(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  const store = await openStore({ dataDir, databaseUrl, upTo: '0002-approvals-rollback' });
  const parsed = parseConfig(fakeConfig(), { runtimes: [], applications: [] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  const { runtimes: [runtime], applications: [app], services: [service] } = parsed.value;
  const compiled = compileRelease({ application: app!, service: service!, runtimes: [runtime!], params: { version: 'v1' } });
  if (!compiled.ok) throw new Error('does not compile');
  const stateOf = new Map<string, CompiledChannelState>(compiled.value.map((s) => [s.channel, s]));
  const now = Date.now();
  const sql = (text: string, params: unknown[]) => store.orm.em.getConnection().execute(text, params, 'run');
  const json = (v: unknown) => JSON.stringify(v);
  const ids = { runtime: randomUUID(), app: randomUUID(), service: randomUUID(), v1: randomUUID() };
  await sql('INSERT INTO runtimes (id, version, created_at, updated_at, name, plugin, config, labels, document_digest) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)', [ids.runtime, now, now, 'fake', 'fake', '{}', '{}', 'd']);
  await sql('INSERT INTO applications (id, version, created_at, updated_at, name, document, document_digest, paused) VALUES (?, 1, ?, ?, ?, ?, ?, ?)', [ids.app, now, now, 'shop', json(app), 'd', false]);
  await sql('INSERT INTO services (id, version, created_at, updated_at, application_id, name, document, document_digest, release_count) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1)', [ids.service, now, now, ids.app, 'web', json(service), 'd']);
  await sql('INSERT INTO releases (id, service_id, application_id, number, params, created_by, created_at) VALUES (?, ?, ?, 1, ?, ?, ?)', [ids.v1, ids.service, ids.app, json({ version: 'v1' }), 'token:admin', now]);
  for (const [position, channel] of app!.releaseChannels.entries()) {
    const channelId = randomUUID();
    const state = stateOf.get(channel.name)!;
    await sql('INSERT INTO release_channels (id, version, created_at, updated_at, application_id, name, position, runtime_id, document, gates, paused) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [channelId, now, now, ids.app, channel.name, position, ids.runtime, json(channel), json(state.gates), false]);
    const engineState = { mode: 'rollout', history: [{ releaseId: ids.v1, state, convergedAt: now }], verifiedAt: now };
    await sql(
      `INSERT INTO service_instances (id, version, created_at, updated_at, application_id, service_id, channel_id, desired_release_id, desired_state, target_release_id, target_state, converged_release_id, converged_at, status, reasons, status_since, observed, paused, next_check_at, engine_state)
       VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'CONVERGED', '[]', ?, NULL, ?, ?, ?)`,
      [randomUUID(), now, now, ids.app, ids.service, channelId, ids.v1, json(state), ids.v1, json(state), ids.v1, now, now, false, now, json(engineState)],
    );
  }
  await store.close();
}

describe.each(DATABASES)('upgrading a database from before immutable releases (%s)', (database) => {
  it('labels the old releases, recovers their compiled states, and releases and rolls back on top of them', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-upgrade-'));
    const pg = database === 'postgresql' ? await createPostgresDatabase() : undefined;
    try {
      await seedOldDatabase(dataDir, pg?.url);
      await using server = await startTestServer({ database, dataDir, databaseUrl: pg?.url, engine: { steadyIntervalMs: 300, gatePollMs: 100 } });
      const old = await server.data(`{ application(name: "shop") { services { latestRelease { label trigger configGeneration channelStates { channel desiredState { digest } } } } } }`);
      expect(old.application.services[0].latestRelease).toMatchObject({ label: 'v1', trigger: 'VERSION', configGeneration: 1 });
      expect(old.application.services[0].latestRelease.channelStates.map((c: any) => c.channel).sort()).toEqual(['production', 'staging']);

      // The fake runtime knows nothing of the old instances: the engine puts v1 there, then v2 on top.
      await waitForChannel(server, 'production', 'CONVERGED', 'v1');
      await release(server, 'v2');
      await waitForChannel(server, 'production', 'CONVERGED', 'v2');
      const rolled = await server.data(`mutation { rollbackService(input: { application: "shop", service: "web", channel: "production" }) { rollbacks { from { label } to { label } } userErrors { code message } } }`);
      expect(rolled.rollbackService).toEqual({ rollbacks: [{ from: { label: 'v2' }, to: { label: 'v1' } }], userErrors: [] });
      await waitForChannel(server, 'production', 'ROLLED_BACK', 'v1');
      expect((await instances(server)).staging!.convergedRelease!.label).toBe('v2');
    } finally {
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
