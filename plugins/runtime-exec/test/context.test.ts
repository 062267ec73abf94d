import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { paramVariable } from '../src/context.js';
import { rejection, sandbox } from './helpers.js';

// Copies what a command sees (its env, the context file and its mode) into dump.json.
const DUMP = [
  process.execPath,
  '-e',
  `const fs = require('node:fs'); const f = process.env.DRIFTLESS_CONTEXT_FILE;
   fs.writeFileSync('dump.json', JSON.stringify({ env: process.env, file: f, mode: fs.statSync(f).mode & 0o777, dirMode: fs.statSync(require('node:path').dirname(f)).mode & 0o777, context: JSON.parse(fs.readFileSync(f, 'utf8')), cwd: process.cwd() }));`,
];

describe('what commands get', () => {
  it('identity, release, params, env layers and a private context file that is removed afterwards', async () => {
    process.env.DRIFTLESS_TEST_SERVER_ONLY = 'must-not-leak';
    try {
      using box = sandbox({ env: { REGION: 'eu', LAYER: 'runtime' }, secretEnv: { API_TOKEN: 's3cr3t-t0ken' } });
      const spec = { fetch: { command: 'exit 2' }, apply: { command: DUMP }, env: { LAYER: 'spec' }, vars: { size: 'small' } };
      await plugin.apply(box.applyCtx(spec));
      const dump = JSON.parse(readFileSync(path.join(box.dir, 'dump.json'), 'utf8'));
      expect(dump.env).toMatchObject({
        DRIFTLESS_HOOK: 'apply',
        DRIFTLESS_APPLICATION: 'infra',
        DRIFTLESS_CHANNEL: 'staging',
        DRIFTLESS_SERVICE: 'network',
        DRIFTLESS_RUNTIME: 'tf',
        DRIFTLESS_INSTANCE_ID: 'inst-7',
        DRIFTLESS_RELEASE: 'id-rel-1',
        DRIFTLESS_VERSION: 'rel-1',
        DRIFTLESS_DIGEST: 'digest-rel-1',
        DRIFTLESS_PARAM_VERSION: 'v1',
        DRIFTLESS_PARAM_DB_SIZE: '20',
        CHANNEL_ENV: 'from-channel',
        REGION: 'eu',
        LAYER: 'spec',
        API_TOKEN: 's3cr3t-t0ken',
        PATH: process.env.PATH,
      });
      expect(dump.env.DRIFTLESS_TEST_SERVER_ONLY).toBeUndefined();
      expect(dump.cwd).toBe(box.dir);
      expect(dump.context).toEqual({
        hook: 'apply',
        instance: { instanceId: 'inst-7', application: 'infra', channel: 'staging', service: 'network', runtime: 'tf' },
        target: { releaseId: 'id-rel-1', version: 'rel-1', params: { version: 'v1', 'db-size': 20 }, spec, env: { CHANNEL_ENV: 'from-channel' }, digest: 'digest-rel-1' },
      });
      expect(JSON.stringify(dump.context)).not.toContain('s3cr3t');
      expect(dump.file.startsWith(path.join(box.dataDir, 'tmp') + path.sep)).toBe(true);
      expect(dump.mode).toBe(0o600);
      expect(dump.dirMode).toBe(0o700);
      expect(existsSync(dump.file)).toBe(false);
      expect(existsSync(path.dirname(dump.file))).toBe(false);
      // The record of what was applied holds the target, not the runtime config.
      const record = readFileSync(path.join(box.dataDir, 'exec', 'infra', 'staging', 'network.json'), 'utf8');
      expect(record).toContain('"version": "rel-1"');
      expect(record).not.toContain('s3cr3t');
      expect(statSync(path.join(box.dataDir, 'exec', 'infra', 'staging', 'network.json')).mode & 0o777).toBe(0o600);
    } finally {
      delete process.env.DRIFTLESS_TEST_SERVER_ONLY;
    }
  });

  it('the context file is removed when the command fails too', async () => {
    using box = sandbox();
    const err = await rejection(plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: 'echo "$DRIFTLESS_CONTEXT_FILE"; exit 1' } })));
    const file = /output: (\S+)\)/.exec(err.message)![1]!;
    expect(file).toMatch(/context\.json$/);
    expect(existsSync(file)).toBe(false);
  });

  it('param names become DRIFTLESS_PARAM_<NAME>', () => {
    expect(paramVariable('version')).toBe('DRIFTLESS_PARAM_VERSION');
    expect(paramVariable('db-size.gb')).toBe('DRIFTLESS_PARAM_DB_SIZE_GB');
  });
});

describe('spec validation (what applyConfig reports)', () => {
  it('names every problem with a path', async () => {
    const issues = await plugin.validate!(
      { fetch: { command: [], mode: 'yaml' }, apply: { command: 'x', retryableExitCodes: [0] }, env: { DRIFTLESS_VERSION: 'x', 'bad-name': 'y' } },
      {},
    );
    expect(issues).toEqual([
      { path: '/fetch/command', message: 'must be a non-empty argv array of strings or a non-empty shell string' },
      { path: '/fetch/mode', message: 'must be "exitCode" or "structured"' },
      { path: '/apply/retryableExitCodes', message: 'must be an array of exit codes between 1 and 255' },
      { path: '/env/DRIFTLESS_VERSION', message: 'DRIFTLESS_* names are reserved for the context the plugin passes' },
      { path: '/env/bad-name', message: 'is not a valid environment variable name' },
    ]);
    expect(await plugin.validate!({ fetch: { command: 'x' }, apply: { command: ['y'] } }, {})).toEqual([]);
  });

  it('a malformed spec reaching a hook is a TerminalError', async () => {
    using box = sandbox();
    const err = await rejection(plugin.apply(box.applyCtx({ fetch: { command: 'true' } })));
    expect(err.name).toBe('TerminalError');
    expect(err.message).toBe('invalid exec spec: /apply apply must be an object with a command');
  });
});
