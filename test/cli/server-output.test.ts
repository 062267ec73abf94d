import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormat, prettyLine } from '../../server/logger.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE_PLUGINS = path.join(ROOT, 'test/fixtures/plugins');

describe('server output: words for people on stdout, logs on stderr', () => {
  it('prints only its human lines on stdout and logs one JSON object per line on stderr (not a terminal)', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-output-'));
    // Refused fixture plugins make the server log warnings at start-up.
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path.join(ROOT, 'server/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', DRIFTLESS_DATA_DIR: dataDir, DRIFTLESS_PLUGIN_PATH: FIXTURE_PLUGINS, DRIFTLESS_LOG_LEVEL: 'info', DRIFTLESS_ENGINE: 'off', DRIFTLESS_LOG_FORMAT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => /Runtime plugins: /.test(stdout), 'the server to start', 30_000);
      // A closing terminal stops it as cleanly as Ctrl-C or kill do.
      child.kill('SIGHUP');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(stdout).toMatch(/^Driftless is running on SQLite at .*\n {2}API: {14}http:\/\/127\.0\.0\.1:\d+\/graphql\n/);
    expect(stdout).toContain('First start: an admin token was created.');
    expect(stdout).not.toMatch(/^\{/m);
    const logs = stderr.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; plugin?: string });
    expect(logs.filter((l) => l.msg === 'runtime plugin refused').length).toBeGreaterThan(0);
    expect(logs.at(-1)).toMatchObject({ level: 30, msg: 'shutting down', signal: 'SIGHUP' });
  });

  it('on a terminal a log entry is one short line, secrets still redacted', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ DRIFTLESS_LOG_FORMAT: 'json' }, true)).toBe('json');
    const lines: string[] = [];
    const logger = createLogger('info', 'pretty', (line) => lines.push(line));
    logger.warn({ plugin: 'acme', reason: 'speaks apiVersion 2', token: 'dl_secret' }, 'runtime plugin refused');
    logger.error({ err: new Error('disk full') }, 'could not write');
    logger.debug('not shown at info');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN  runtime plugin refused plugin=acme reason="speaks apiVersion 2" token="<redacted>"\n$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d ERROR could not write err="disk full"\n$/);
    expect(prettyLine('not json\n')).toBe('not json\n');
  });
});
