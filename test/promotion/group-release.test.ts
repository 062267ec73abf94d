import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/flaky');
/** migrate → api → web: the order they converge in within a channel. */
const ORDER = ['migrate', 'api', 'web'];
const DEPENDS: Record<string, string[]> = { migrate: [], api: ['migrate'], web: ['api'] };

function config(stateDir: string, ports: Record<string, Record<string, number>>): string {
  const services = ORDER.map(
    (name) => `---
kind: Service
name: ${name}
application: shop
dependsOn: [${DEPENDS[name]!.join(', ')}]
parameters: [{ name: version, required: true }, { name: crash, default: "0" }]
spec:
  command: node
  args: [server.js]
  cwd: ${APP_DIR}
  env: { VERSION: "{{ params.version }}", CHANNEL: "{{ channel.name }}", CRASH_AFTER_MS: "{{ params.crash }}" }
  basePort: "{{ constants.${name} }}"
  replicas: 1
  healthCheck: { path: /healthz, timeoutSeconds: 5 }
`,
  );
  const constants = (channel: string) => `{ ${ORDER.map((s) => `${s}: ${ports[channel]![s]}`).join(', ')} }`;
  return `kind: Runtime
name: local
plugin: process
config: { stateDir: ${JSON.stringify(stateDir)} }
---
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: local
    constants: ${constants('staging')}
  - name: production
    runtime: local
    dependsOn: [staging]
    constants: ${constants('production')}
${services.join('')}`;
}

const GROUP = `mutation($s: [ServiceReleaseInput!]!) { createRelease(input: { application: "shop", services: $s }) { group { id label releases { label service { name } } } userErrors { code message path } } }`;
const STATE = `{ application(name: "shop") { releaseChannels { name instances { service { name } status convergedRelease { label } reasons { code message } } } } }`;

async function states(server: TestServer): Promise<Record<string, Record<string, { status: string; on?: string; reason?: string; code?: string }>>> {
  const d = await server.data(STATE);
  return Object.fromEntries(
    d.application.releaseChannels.map((c: any) => [c.name, Object.fromEntries(c.instances.map((i: any) => [i.service.name, { status: i.status, on: i.convergedRelease?.label, reason: i.reasons[0]?.message, code: i.reasons[0]?.code }]))]),
  );
}

/** From the runtime's own records: when each service's replica in `channel` started and became ready. */
function records(stateDir: string, channel: string): Record<string, { start: number; ready: number; version: string }> {
  const out: Record<string, { start: number; ready: number; version: string }> = {};
  for (const service of ORDER) {
    const dir = path.join(stateDir, 'shop', channel, service);
    for (const f of readdirSync(dir).filter((x) => x.startsWith('replica-') && x.endsWith('.json'))) {
      const r = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      if (r.readyAt) out[service] = { start: Date.parse(r.startedAt), ready: Date.parse(r.readyAt), version: r.version };
    }
  }
  return out;
}

function inOrder(recs: Record<string, { start: number; ready: number }>): void {
  for (let n = 1; n < ORDER.length; n++) {
    expect(recs[ORDER[n]!]!.start, `${ORDER[n]} started before ${ORDER[n - 1]} was ready`).toBeGreaterThanOrEqual(recs[ORDER[n - 1]!]!.ready);
  }
}

describe.each(DATABASES)('promotion control: several services released as one (%s)', (database) => {
  it('a three-service release converges in service order; a failure of the second rolls the group back in that channel and never reaches the next', { timeout: 180_000 }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-group-'));
    const ports: Record<string, Record<string, number>> = {};
    for (const channel of ['staging', 'production']) ports[channel] = Object.fromEntries(await Promise.all(ORDER.map(async (s) => [s, await freePortRange(1)] as const)));
    await using server = await startTestServer({ database, engine: { steadyIntervalMs: 400, gatePollMs: 150, maxAttempts: 2 } });
    try {
      expect((await server.data(APPLY_CONFIG, { documents: config(stateDir, ports) })).applyConfig.userErrors).toEqual([]);
      const v1 = await server.data(GROUP, { s: ORDER.map((service) => ({ service, params: { version: 'v1' } })).reverse() });
      expect(v1.createRelease.userErrors).toEqual([]);
      expect(v1.createRelease.group.label).toBe('migrate v1 + api v1 + web v1');
      await waitFor(async () => Object.values((await states(server)).production!).every((s) => s.status === 'CONVERGED' && s.on === 'v1'), 'the group on v1 everywhere', 90_000, 200).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await states(server))}`);
      });
      inOrder(records(stateDir, 'staging'));
      inOrder(records(stateDir, 'production'));

      // v2 of all three, but api's v2 exits at start.
      const v2 = await server.data(GROUP, { s: [{ service: 'migrate', params: { version: 'v2' } }, { service: 'api', params: { version: 'v2', crash: '1' } }, { service: 'web', params: { version: 'v2' } }] });
      expect(v2.createRelease.userErrors).toEqual([]);
      const failed = await waitFor(async () => {
        const s = (await states(server)).staging!;
        return s.api!.status === 'ROLLED_BACK' || s.api!.status === 'FAILED' ? s : undefined;
      }, 'api v2 to fail in staging', 90_000, 200);
      void failed;
      // The whole group goes back in staging: migrate (which converged first) too; web never started.
      await waitFor(async () => {
        const s = (await states(server)).staging!;
        return s.migrate!.on === 'v1' && s.api!.on === 'v1' && s.web!.on === 'v1' && s.migrate!.status !== 'ROLLING_BACK';
      }, 'the group back on v1 in staging', 60_000, 200);
      const staging = (await states(server)).staging!;
      expect(staging.migrate!.code).toBe('RELEASE_MARKED_BAD');
      expect(staging.migrate!.reason).toMatch(/^v2 failed here \(api v2 failed in staging, so the whole release migrate v2 \+ api v2 \+ web v2 is rolled back here and marked bad\), was rolled back to v1/);
      expect(staging.web!.code).toBe('GROUP_FAILED');
      const webRecords = records(stateDir, 'staging').web!;
      expect(webRecords.version).not.toMatch(/v2/);
      // Production never saw any of it.
      await new Promise((r) => setTimeout(r, 1_500));
      const production = (await states(server)).production!;
      for (const service of ORDER) expect(production[service]!.on).toBe('v1');
      const events = (await server.data(`{ events(application: "shop", first: 500) { nodes { type message } } }`)).events.nodes;
      expect(events.filter((e: any) => e.type === 'ROLLOUT_STARTED' && /v2 in production/.test(e.message))).toEqual([]);
    } finally {
      await server.data(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`);
      await waitFor(async () => ['staging', 'production'].every((c) => ORDER.every((s) => { try { return readdirSync(path.join(stateDir, 'shop', c, s)).filter((f) => f.endsWith('.json') && f.startsWith('replica-')).length === 0; } catch { return true; } })), 'every replica to stop', 30_000, 200);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
