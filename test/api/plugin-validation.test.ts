import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, HELLO_CONFIG } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';

/** Specs and runtime configs are checked against the plugin's schemas when config is applied. */
describe('plugin schemas at applyConfig', () => {
  it.each([
    {
      name: 'a spec field of the wrong type',
      text: HELLO_CONFIG.replace('replicas: 1', 'replicas: "one"'),
      message: /document 3 \(Service web\): spec\.replicas: .*integer.*\(as rendered for channel staging, runtime plugin "process"\)/,
      path: ['documents', '2', 'Service web', 'spec.replicas'],
    },
    {
      name: 'an unknown spec field',
      text: HELLO_CONFIG.replace('replicas: 1', 'replicas: 1\n  replcias: 2'),
      message: /document 3 \(Service web\): spec\.replcias: /,
      path: ['documents', '2', 'Service web', 'spec.replcias'],
    },
    {
      name: 'a runtime config the plugin does not accept',
      text: HELLO_CONFIG.replace('config: {}', 'config: { stateDirectory: /tmp/x }'),
      message: /document 1 \(Runtime local\): config\.stateDirectory: /,
      path: ['documents', '0', 'Runtime local', 'config.stateDirectory'],
    },
    {
      name: 'a plugin that is not installed',
      text: HELLO_CONFIG.replace('plugin: process', 'plugin: kubernetes'),
      message: /unknown runtime plugin "kubernetes" \(loaded plugins: .*process/,
      path: ['documents', '0', 'Runtime local', 'plugin'],
    },
  ])('refuses $name with a path, and writes nothing', async ({ text, message, path }) => {
    await using server = await startTestServer();
    const res = await server.data(APPLY_CONFIG, { documents: text });
    const error = res.applyConfig.userErrors[0];
    expect(error.code).toBe('INVALID_PLUGIN_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.path).toEqual(path);
    expect(await server.data(`{ applications { totalCount } runtimes { name } }`)).toEqual({ applications: { totalCount: 0 }, runtimes: [] });
  });
});
