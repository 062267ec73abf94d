import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// A package the server has never heard of: not a workspace, not in node_modules, only on the plugin path.
const FILE_RUNTIME = fileURLToPath(new URL('../../examples/plugin-file-runtime', import.meta.url));

const config = (root: string) => `
apiVersion: driftless/v1
kind: Runtime
name: files
plugin: file
config: { root: ${JSON.stringify(root)} }
---
apiVersion: driftless/v1
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: files
---
apiVersion: driftless/v1
kind: Service
name: web
application: shop
parameters:
  - { name: version, type: string, required: true }
spec:
  content: { greeting: "hello from {{ channel.name }}", version: "{{ params.version }}" }
`;

const INSTANCE = `{ application(name: "shop") { releaseChannels { instances { status reasons { code message } convergedRelease { label } } } } }`;

async function instance(server: TestServer) {
  return (await server.data(INSTANCE)).application.releaseChannels[0].instances[0];
}

describe('a third-party runtime plugin loaded from DRIFTLESS_PLUGIN_PATH', () => {
  it('is listed LOADED, converges a release by writing its file, and heals a hand edit', { timeout: 60_000 }, async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'driftless-files-'));
    await using server = await startTestServer({ config: { pluginPath: [FILE_RUNTIME] }, engine: { steadyIntervalMs: 300, gatePollMs: 200 } });
    try {
      const plugins = (await server.data(`{ runtimePlugins { name packageName status version reason } }`)).runtimePlugins;
      expect(plugins).toContainEqual({ name: 'file', packageName: 'driftless-runtime-file', status: 'LOADED', version: '0.1.0', reason: null });

      expect((await server.data(APPLY_CONFIG, { documents: config(root) })).applyConfig.userErrors).toEqual([]);
      const released = await server.data(CREATE_RELEASE, { application: 'shop', service: 'web', params: { version: 'v1' } });
      expect(released.createRelease.userErrors).toEqual([]);
      await waitFor(async () => {
        const i = await instance(server);
        return i.status === 'CONVERGED' && i.convergedRelease?.label === 'v1';
      }, 'staging to converge on v1', 20_000, 100);

      const file = path.join(root, 'shop', 'staging', 'web.json');
      const written = JSON.parse(readFileSync(file, 'utf8'));
      expect(written).toMatchObject({ params: { version: 'v1' }, content: { greeting: 'hello from staging', version: 'v1' } });
      expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);

      // Someone edits the deployed file by hand: the next steady-state tick sees the drift and rewrites it.
      writeFileSync(file, JSON.stringify({ ...written, content: { greeting: 'hacked' } }, null, 2));
      await waitFor(async () => {
        const now = JSON.parse(readFileSync(file, 'utf8'));
        return now.content.greeting === 'hello from staging' && (await instance(server)).status === 'CONVERGED';
      }, 'the engine to heal the hand edit', 20_000, 100);
      expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(written, null, 2)}\n`);

      // The history says why it applied again.
      const events = await server.data(`{ events(application: "shop", first: 100) { nodes { type message } } }`);
      const messages: string[] = events.events.nodes.map((e: { type: string; message: string }) => `${e.type}: ${e.message}`);
      expect(messages.some((m) => /edited by hand/.test(m)), messages.join('\n')).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
