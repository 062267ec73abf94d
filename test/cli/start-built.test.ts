import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { staleReason } from '../../scripts/build-state.mjs';
import { waitFor } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

describe('build once, rebuild only when a source changed', () => {
  it('a tree is stale before its first build, current after it, and stale again only when something that is built changes', () => {
    const root = tempDir('driftless-build-');
    const file = (name: string, secondsAgo: number) => {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), '');
      const at = new Date(Date.now() - secondsAgo * 1000);
      utimesSync(path.join(root, name), at, at);
    };
    file('server/main.ts', 60);
    file('plugins/sdk/src/index.ts', 60);
    expect(staleReason(root)).toBe('no build yet');
    for (const output of ['dist/server/main.js', 'dist/server/cli/main.js', 'dist/worker/worker.js', 'plugins/sdk/dist/index.js', 'dist/web/index.html']) file(output, 30);
    file('dist/.build-stamp', 30);
    expect(staleReason(root)).toBeUndefined();
    // Tests, docs and built output do not go into a build.
    file('plugins/runtime-x/test/a.test.ts', 0);
    file('server/README.md', 0);
    file('plugins/sdk/dist/index.js', 0);
    // What the build generates into the sources (the dashboard's typed schema) is not a change.
    file('web/src/graphql/graphql-env.d.ts', 0);
    expect(staleReason(root)).toBeUndefined();
    file('server/cli/main.ts', 0);
    expect(staleReason(root)).toBe('server/cli/main.ts changed');
    file('dist/.build-stamp', 0);
    rmSync(path.join(root, 'dist/worker/worker.js'));
    expect(staleReason(root)).toBe('dist/worker/worker.js is missing');
  });

  it('npm start on a built tree starts the built server at once, and a SIGTERM to npm stops it', { timeout: 60_000 }, async (ctx) => {
    const stale = staleReason();
    if (stale) ctx.skip(`dist/ is stale (${stale}): npm test builds first; alone, run npm run build`);
    const dataDir = tempDir('driftless-start-');
    const started = Date.now();
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: '0', DRIFTLESS_DATA_DIR: dataDir, DRIFTLESS_ENGINE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => /API:\s+(http:\/\/\S+)\/graphql/.exec(out), 'the API URL', 30_000);
      const url = /API:\s+(http:\/\/\S+)\/graphql/.exec(out)![1]!;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(res.status).toBe(401);
      // "Within a few seconds", with room for a busy machine; a rebuild alone takes 10-20 s.
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(out).not.toMatch(/^build:/m);
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/"msg":"shutting down"/);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  });
});
