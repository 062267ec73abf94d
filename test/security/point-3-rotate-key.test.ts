/**
 * Issue 10, point 3: rotation is a documented command. `driftless secrets rotate-key` runs next to
 * a running server: every sealed value is encrypted again with a new key, the server keeps
 * handing the plugin the clear value, and --prune drops the previous key once nothing uses it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../cli/run-cli.js';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'rotate-me-secret-91c0ffee42';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CONFIG = (work: string) => `
kind: Runtime
name: vault
plugin: exec
config:
  workdir: ${JSON.stringify(work)}
  stateDir: ${JSON.stringify(path.join(work, 'state'))}
  secretEnv: { TOKEN: ${SECRET} }
---
kind: Application
name: keeper
releaseChannels: [{ name: staging, runtime: vault }]
---
kind: Service
name: job
application: keeper
parameters: [{ name: version, required: true }]
spec:
  fetch: { command: "test -f seen-$DRIFTLESS_PARAM_VERSION || exit 2" }
  apply: { command: "printf '%s' \\"$TOKEN\\" > received-$DRIFTLESS_PARAM_VERSION && touch seen-$DRIFTLESS_PARAM_VERSION" }
`;

async function sealedKeyId(server: Awaited<ReturnType<typeof startTestServer>>): Promise<string> {
  const rows = await server.driftless.store.orm.em.fork().getConnection().execute(`select config from runtimes where name = 'vault'`);
  const config = typeof rows[0].config === 'string' ? JSON.parse(rows[0].config) : rows[0].config;
  return String(config.secretEnv.TOKEN.$sealed).split(':')[1]!;
}

describe('issue 10 point 3: driftless secrets rotate-key', () => {
  it('re-encrypts every stored secret with a new key while the server runs, and --prune drops the old key', { timeout: 90_000 }, async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'driftless-rotate-'));
    temps.push(work);
    await using server = await startTestServer({ engine: { steadyIntervalMs: 300, gatePollMs: 100 } });
    expect((await server.data(APPLY_CONFIG, { documents: CONFIG(work) })).applyConfig.userErrors).toEqual([]);
    const before = await sealedKeyId(server);
    const keyFile = path.join(server.dataDir, 'secret.key');
    const keysIn = () => readFileSync(keyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(keysIn()).toHaveLength(1);

    const rotated = await startCli(['secrets', 'rotate-key'], { env: { DRIFTLESS_DATA_DIR: server.dataDir } }).done;
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/1 secret value\(s\) in 1 runtime\(s\) encrypted again/);
    const after = await sealedKeyId(server);
    expect(after).not.toBe(before);
    expect(keysIn()).toHaveLength(2); // the previous key still opens

    // The running server opens the value sealed with a key it had not read yet.
    expect((await server.data(CREATE_RELEASE, { application: 'keeper', service: 'job', params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
    await waitFor(async () => existsSync(path.join(work, 'received-v1')), 'the apply ran after the rotation', 30_000, 100).catch(async (err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(await server.data(`{ application(name: "keeper") { releaseChannels { instances { status reasons { code message } } } } }`))}`);
    });
    expect(readFileSync(path.join(work, 'received-v1'), 'utf8')).toBe(SECRET);
    // And re-applying the same documents is still "unchanged" under the new key.
    expect((await server.data(APPLY_CONFIG, { documents: CONFIG(work) })).applyConfig.updated).toEqual([]);

    const pruned = await startCli(['secrets', 'rotate-key', '--prune'], { env: { DRIFTLESS_DATA_DIR: server.dataDir } }).done;
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/dropped 2 previous key\(s\)/);
    expect(keysIn()).toHaveLength(1);
    expect((await server.data(CREATE_RELEASE, { application: 'keeper', service: 'job', params: { version: 'v2' } })).createRelease.userErrors).toEqual([]);
    await waitFor(async () => existsSync(path.join(work, 'received-v2')), 'the apply ran after the pruning rotation', 30_000, 100);
    expect(readFileSync(path.join(work, 'received-v2'), 'utf8')).toBe(SECRET);
  });

  it('with the key in DRIFTLESS_SECRET_KEY it says how to rotate instead', { timeout: 30_000 }, async () => {
    const run = await startCli(['secrets', 'rotate-key'], { env: { DRIFTLESS_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), DRIFTLESS_DATA_DIR: os.tmpdir() } }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DRIFTLESS_SECRET_KEY/);
    expect(run.stderr).toMatch(/restart/);
  });
});
