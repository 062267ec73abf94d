import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../server/config.js';
import { PluginHost } from '../../server/plugin-host/index.js';
import { startTestServer } from '../helpers/server.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_RUNTIME = `apiVersion: driftless/v1
kind: Runtime
name: bench
plugin: fake
config: {}
`;

describe('the fake runtime plugin (for tests and benchmarks)', () => {
  it('is not loaded by a server with the default settings: it is not listed and a runtime cannot use it', async () => {
    expect(configFromEnv({}).testPlugins).toBe(false);
    await using server = await startTestServer({ config: { testPlugins: false }, engine: { enabled: false } });
    const { runtimePlugins } = await server.data(`{ runtimePlugins { name status } }`);
    const names = runtimePlugins.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['process', 'exec', 'ssh']));
    expect(names).not.toContain('fake');
    const { applyConfig } = await server.data(`mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { message } } }`, { d: FAKE_RUNTIME });
    expect(applyConfig.userErrors.map((e: { message: string }) => e.message).join('\n')).toMatch(/fake/);
  });

  it('is loaded when asked: DRIFTLESS_TEST_PLUGINS=1', async () => {
    const config = configFromEnv({ DRIFTLESS_TEST_PLUGINS: '1' });
    expect(config.testPlugins).toBe(true);
    await using server = await startTestServer({ config: { testPlugins: config.testPlugins }, engine: { enabled: false } });
    const { runtimePlugins } = await server.data(`{ runtimePlugins { name status } }`);
    expect(runtimePlugins).toContainEqual({ name: 'fake', status: 'LOADED' });
  });

  it('is loaded when its package is named on the plugin path, like any plugin', async () => {
    const host = await PluginHost.discover({ roots: [repoRoot], pluginPath: [`${repoRoot}plugins/runtime-fake`] });
    expect(host.get('fake')?.info.status).toBe('LOADED');
    expect((await PluginHost.discover({ roots: [repoRoot] })).get('fake')).toBeUndefined();
  });
});
