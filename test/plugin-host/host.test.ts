import { fileURLToPath } from 'node:url';
import { describe, expect, it, beforeAll } from 'vitest';
import { PluginHost, pluginPathFromEnv } from '../../server/plugin-host/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/plugins', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let host: PluginHost;
const logged: { level: string; obj: object; msg?: string }[] = [];

beforeAll(async () => {
  host = await PluginHost.discover({
    roots: [],
    pluginPath: [fixtures],
    logger: {
      info: (obj, msg) => logged.push({ level: 'info', obj, ...(msg ? { msg } : {}) }),
      warn: (obj, msg) => logged.push({ level: 'warn', obj, ...(msg ? { msg } : {}) }),
      debug: (obj, msg) => logged.push({ level: 'debug', obj, ...(msg ? { msg } : {}) }),
    },
  });
});

const byPackage = (name: string) => host.list().find((p) => p.packageName === name);

describe('plugin discovery and loading', () => {
  it('loads a well-formed plain-JS plugin, honouring exports', () => {
    const info = byPackage('@acme/driftless-runtime-good');
    expect(info).toMatchObject({ name: 'good', version: '1.2.3', status: 'LOADED', entry: `${fixtures}/good/index.js`, packageDir: `${fixtures}/good` });
    expect(info?.reason).toBeUndefined();
    expect(host.get('good')?.plugin.name).toBe('good');
    expect(host.modulePaths()).toEqual({ good: `${fixtures}/good/index.js` });
  });

  it.each([
    ['driftless-runtime-future', /^speaks plugin apiVersion 2; this server speaks 1$/],
    ['driftless-runtime-nodefault', /has no default export/],
    ['driftless-runtime-api99', /is not a valid runtime plugin: apiVersion is 99, this server speaks apiVersion 1/],
    ['driftless-runtime-badschema', /^configSchema is not a valid JSON Schema: .*type/],
    ['driftless-runtime-throws', /^failed to load: cannot find libfoo\.so$/],
  ])('refuses %s with a reason', (pkg, reason) => {
    const info = byPackage(pkg);
    expect(info?.status).toBe('REFUSED');
    expect(info?.reason).toMatch(reason);
  });

  it('lists every candidate once and logs each outcome', () => {
    expect(host.list()).toHaveLength(6);
    expect(logged.filter((l) => l.level === 'warn')).toHaveLength(5);
    expect(logged.find((l) => l.level === 'debug')).toMatchObject({ msg: 'runtime plugin loaded', obj: { plugin: 'good' } });
  });

  it('accepts a single package dir in the plugin path', async () => {
    const single = await PluginHost.discover({ roots: [], pluginPath: [`${fixtures}/good`, '/does/not/exist'] });
    expect(single.list().map((p) => [p.name, p.status])).toEqual([['good', 'LOADED']]);
  });

  it('refuses a second plugin with a name already taken', async () => {
    const twice = await PluginHost.discover({ roots: [], pluginPath: [`${fixtures}/good`, fixtures] });
    expect(twice.list().filter((p) => p.name === 'good')).toHaveLength(1);
  });

  it('finds workspace plugins through node_modules symlinks (the fake runtime, from source under vitest)', async () => {
    const installed = await PluginHost.discover({ roots: [repoRoot], testPlugins: true });
    const fake = installed.list().find((p) => p.packageName === '@driftless/runtime-fake');
    expect(fake).toMatchObject({ name: 'fake', status: 'LOADED', packageDir: `${repoRoot}plugins/runtime-fake` });
    expect(fake?.entry).toBe(`${repoRoot}plugins/runtime-fake/src/index.ts`);
    expect(installed.list().some((p) => p.packageName === '@driftless/plugin-sdk')).toBe(false);
  });

  it('splits DRIFTLESS_PLUGIN_PATH on colons', () => {
    expect(pluginPathFromEnv('/a:/b::/c')).toEqual(['/a', '/b', '/c']);
    expect(pluginPathFromEnv('')).toEqual([]);
  });
});

describe('validation', () => {
  it('accepts a valid runtime config', () => {
    expect(host.validateRuntimeConfig('good', { host: 'h1', token: 't' })).toEqual([]);
  });

  it('reports config issues with paths', () => {
    expect(host.validateRuntimeConfig('good', { hots: 'typo', auth: { user: 3 } })).toEqual([
      { path: 'host', message: 'is required' },
      { path: 'hots', message: 'is not a known property' },
      { path: 'auth.user', message: 'must be string' },
    ]);
  });

  it('an unknown plugin says which plugins are loaded', async () => {
    const expected = [{ path: 'plugin', message: 'unknown runtime plugin "k8s" (loaded plugins: good)' }];
    expect(host.validateRuntimeConfig('k8s', {})).toEqual(expected);
    expect(await host.validateSpec('k8s', {}, {})).toEqual(expected);
  });

  it('reports spec schema issues with dotted paths', async () => {
    expect(await host.validateSpec('good', { command: 'node', replicas: -1, healthCheck: { path: 'healthz' }, mode: 'x' }, {})).toEqual([
      { path: 'replicas', message: 'must be >= 0' },
      { path: 'healthCheck.path', message: 'must match pattern "^/"' },
      { path: 'mode', message: 'must be one of "fork", "exec"' },
    ]);
    expect(await host.validateSpec('good', { healthCheck: {} }, {})).toEqual([
      { path: 'command', message: 'is required' },
      { path: 'healthCheck.path', message: 'is required' },
    ]);
  });

  it("runs the plugin's own validate after the schema, converting its paths", async () => {
    expect(await host.validateSpec('good', { command: 'node' }, {})).toEqual([]);
    expect(await host.validateSpec('good', { command: 'rm' }, {})).toEqual([{ path: 'command', message: 'refuses to run rm' }]);
  });

  it('a throwing validate becomes an issue, not a crash', async () => {
    expect(await host.validateSpec('good', { command: 'explode' }, {})).toEqual([{ path: '', message: 'plugin "good" validate: validator crashed' }]);
  });
});

describe('redaction', () => {
  it('hides x-secret values at any depth and leaves the rest', () => {
    const config = { host: 'h1', token: 'abc', auth: { user: 'me', password: 'pw' }, headers: [{ name: 'X-Key', value: 'k1' }] };
    expect(host.redactConfig('good', config)).toEqual({
      host: 'h1',
      token: '<redacted>',
      auth: { user: 'me', password: '<redacted>' },
      headers: [{ name: 'X-Key', value: '<redacted>' }],
    });
    expect(config.token).toBe('abc');
  });

  it('hides every value when the plugin is unknown', () => {
    expect(host.redactConfig('k8s', { a: 1, b: 'x' })).toEqual({ a: '<redacted>', b: '<redacted>' });
  });
});
