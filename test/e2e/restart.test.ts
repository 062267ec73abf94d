import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../helpers/config-text.js';
import { startChildServer, gqlAt, type ChildServer } from '../helpers/child-server.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

const ENGINE_ENV = { DRIFTLESS_STEADY_INTERVAL_MS: '500', DRIFTLESS_GATE_POLL_MS: '200' };

async function channelState(url: string, name: string) {
  const data = await gqlAt(url, `{ application(name: "hello") { releaseChannels { name instances { status convergedRelease { label } reasons { code message } } } } }`);
  return data.application.releaseChannels.find((c: any) => c.name === name).instances[0];
}

async function answer(port: number): Promise<string> {
  return (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();
}

/** Replica records the process runtime keeps for one instance: one per process it started and still owns. */
function replicaRecords(dataDir: string, channel: string): string[] {
  try {
    return readdirSync(path.join(dataDir, 'run', 'hello', channel, 'web')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

describe.each(DATABASES)('a server killed mid-rollout (%s)', (database) => {
  it('resumes after a restart, re-adopts the running processes and converges without duplicates', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-restart-'));
    const pg = database === 'postgresql' ? await createPostgresDatabase() : undefined;
    const env = { ...ENGINE_ENV, DRIFTLESS_DATA_DIR: dataDir, ...(pg ? { DATABASE_URL: pg.url } : {}) };
    const stagingPort = await freePortRange(1);
    const productionPort = await freePortRange(2);
    const config = HELLO_CONFIG.replace('port: 8100', `port: ${stagingPort}`)
      .replace('port: 8200', `port: ${productionPort}`)
      .replace(/    gates:\n      # \.\.\.and once one person has approved it for production\.\n      - manualApproval: \{ minApprovers: 1 \}\n/, '');
    let server: ChildServer | undefined;
    try {
      server = await startChildServer(env);
      expect((await gqlAt(server.url, APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
      const created = await gqlAt(server.url, CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v1' } });
      expect(created.createRelease.userErrors).toEqual([]);
      // Kill it the moment production is rolling out.
      await waitFor(async () => (await channelState(server!.url, 'production')).status === 'CONVERGING', 'production to be rolling out', 30_000, 20);
      await server.kill();

      server = await startChildServer(env);
      const url = server.url;
      await waitFor(async () => {
        const p = await channelState(url, 'production');
        return p.status === 'CONVERGED' && p.convergedRelease?.label === 'v1';
      }, 'production converged on v1 after the restart', 60_000, 100);
      expect(await answer(stagingPort)).toBe('hello from v1 in staging');
      expect(await answer(productionPort)).toBe('hello from v1 in production');
      expect(await answer(productionPort + 1)).toBe('hello from v1 in production');
      // Exactly the replicas the spec asks for: nothing was started twice.
      expect(replicaRecords(dataDir, 'staging')).toHaveLength(1);
      expect(replicaRecords(dataDir, 'production')).toHaveLength(2);

      // And the restarted server goes on working.
      await gqlAt(url, CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v2' } });
      await waitFor(async () => (await channelState(url, 'production')).convergedRelease?.label === 'v2', 'production on v2', 60_000, 100);
      expect(await answer(productionPort)).toBe('hello from v2 in production');
    } finally {
      if (server) {
        await gqlAt(server.url, `mutation { deleteApplication(input: { name: "hello" }) { userErrors { message } } }`).catch(() => undefined);
        await waitFor(async () => replicaRecords(dataDir, 'production').length === 0 && replicaRecords(dataDir, 'staging').length === 0, 'processes removed', 20_000, 200).catch(() => undefined);
        await server.stop();
      }
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
