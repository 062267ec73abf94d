/**
 * Issue 10, point 3: secrets sit in plain text in the database file. Values a plugin marks
 * `x-secret` are sealed (AES-256-GCM, key outside the database); references are stored as
 * written and resolved only where the plugin is called. The plugin still gets the clear values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { createPostgresDatabase, DATABASES } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const CLEAR = 'clear-secret-in-doc-7f3a9c21e4';
const FROM_ENV = 'secret-from-env-5b8d02aa9e';
const FROM_FILE = 'secret-from-file-c41e77d0b3';
process.env.DL_POINT3_SECRET = FROM_ENV; // before the servers start: worker threads copy the environment

const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-point3-'));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function config(work: string, secretFile: string, clear = CLEAR): string {
  return `
kind: Runtime
name: vault
plugin: exec
config:
  workdir: ${JSON.stringify(work)}
  stateDir: ${JSON.stringify(path.join(work, 'state'))}
  secretEnv:
    CLEAR_ONE: ${clear}
    ENV_ONE: { fromEnv: DL_POINT3_SECRET }
    FILE_ONE: { fromFile: ${JSON.stringify(secretFile)} }
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
  apply: { command: "printf '%s|%s|%s' \\"$CLEAR_ONE\\" \\"$ENV_ONE\\" \\"$FILE_ONE\\" > received && touch seen-$DRIFTLESS_PARAM_VERSION" }
`;
}

/** Every byte the database keeps on disk (the file and its WAL). */
function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('driftless.db')).map((f) => readFileSync(path.join(dataDir, f))));
}

describe.each(DATABASES)('issue 10 point 3: secrets at rest (%s)', (database) => {
  it('x-secret values are sealed in the database, references stored as written, and the plugin receives the clear values', { timeout: 60_000 }, async () => {
    const work = tempDir();
    const secretFile = path.join(work, 'token.txt');
    writeFileSync(secretFile, `${FROM_FILE}\n`);
    await using server = await startTestServer({ database, engine: { steadyIntervalMs: 300, gatePollMs: 100 } });
    // The key was generated into the data directory, readable by the server's user only.
    const keyFile = path.join(server.dataDir, 'secret.key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    expect((await server.data(APPLY_CONFIG, { documents: config(work, secretFile) })).applyConfig.userErrors).toEqual([]);
    const release = await server.data(CREATE_RELEASE, { application: 'keeper', service: 'job', params: { version: 'v1' } });
    expect(release.createRelease.userErrors).toEqual([]);
    await waitFor(async () => existsSync(path.join(work, 'received')), 'the apply command ran', 30_000, 100);
    expect(readFileSync(path.join(work, 'received'), 'utf8')).toBe(`${CLEAR}|${FROM_ENV}|${FROM_FILE}`);

    // Read back: the clear value redacted, the references shown as written.
    const { runtimes } = await server.data(`{ runtimes { name config } }`);
    const shown = JSON.stringify(runtimes);
    for (const secret of [CLEAR, FROM_ENV, FROM_FILE]) expect(shown).not.toContain(secret);

    // Stored: the row holds a sealed value and the references, never a clear value.
    const rows = await server.driftless.store.orm.em.fork().getConnection().execute(`select config from runtimes where name = 'vault'`);
    const stored = typeof rows[0].config === 'string' ? JSON.parse(rows[0].config) : rows[0].config;
    expect(stored.secretEnv.CLEAR_ONE.$sealed).toMatch(/^dl1:[0-9a-f]{12}:/);
    expect(stored.secretEnv.ENV_ONE).toEqual({ fromEnv: 'DL_POINT3_SECRET' });
    expect(stored.secretEnv.FILE_ONE).toEqual({ fromFile: secretFile });

    // Re-applying the same documents changes nothing (the sealed value is not re-encrypted).
    const again = await server.data(APPLY_CONFIG, { documents: config(work, secretFile) });
    expect(again.applyConfig.updated).toEqual([]);
    // A new clear value is an update.
    const changed = await server.data(APPLY_CONFIG, { documents: config(work, secretFile, `${CLEAR}-rotated`) });
    expect(changed.applyConfig.updated.map((o: any) => o.name)).toEqual(['vault']);

    if (database === 'sqlite') {
      // The bytes on disk: not the clear values, not the resolved references.
      await server.driftless.store.orm.em.getConnection().execute('pragma wal_checkpoint(TRUNCATE)');
      const bytes = databaseBytes(server.dataDir);
      expect(bytes.length).toBeGreaterThan(0);
      for (const secret of [CLEAR, `${CLEAR}-rotated`, FROM_ENV, FROM_FILE]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from('DL_POINT3_SECRET'))).toBe(true); // the reference itself is there
    }
    await server.data(`mutation { deleteApplication(input: { name: "keeper" }) { userErrors { message } } }`).catch(() => undefined);
  });

  it('clear secrets already in a database are sealed at the next start', { timeout: 60_000 }, async () => {
    const work = tempDir();
    const dataDir = tempDir();
    const secretFile = path.join(work, 'token.txt');
    writeFileSync(secretFile, FROM_FILE);
    // One database for both starts (a PostgreSQL one is made here and dropped at the end).
    const made = database === 'postgresql' ? await createPostgresDatabase() : undefined;
    await using pg = made && { url: made.url, [Symbol.asyncDispose]: made.drop };
    const databaseUrl = pg?.url;
    {
      await using first = await startTestServer({ database, dataDir, databaseUrl, engine: { enabled: false } });
      expect((await first.data(APPLY_CONFIG, { documents: config(work, secretFile) })).applyConfig.userErrors).toEqual([]);
      // As an older version left it: the clear value in the row.
      const conn = first.driftless.store.orm.em.getConnection();
      const rows = await conn.execute(`select config from runtimes where name = 'vault'`);
      const stored = typeof rows[0].config === 'string' ? JSON.parse(rows[0].config) : rows[0].config;
      stored.secretEnv.CLEAR_ONE = CLEAR;
      await conn.execute(`update runtimes set config = ? where name = 'vault'`, [JSON.stringify(stored)]);
    }
    await using second = await startTestServer({ database, dataDir, databaseUrl, engine: { enabled: false } });
    const rows = await second.driftless.store.orm.em.fork().getConnection().execute(`select config from runtimes where name = 'vault'`);
    const stored = typeof rows[0].config === 'string' ? JSON.parse(rows[0].config) : rows[0].config;
    expect(stored.secretEnv.CLEAR_ONE.$sealed).toMatch(/^dl1:/);
    if (database === 'sqlite') {
      await second.driftless.store.orm.em.getConnection().execute('pragma wal_checkpoint(TRUNCATE)');
      expect(databaseBytes(dataDir).includes(Buffer.from(CLEAR))).toBe(false);
    }
  });

  it('references pass the plugin\'s schema and validate wherever a secret goes (ssh privateKey and passphrase)', { timeout: 30_000 }, async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });
    const fingerprint = `SHA256:${'A'.repeat(43)}`;
    const keyFile = path.join(tempDir(), 'deploy_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'point3', '-f', keyFile]);
    const documents = `
kind: Runtime
name: fleet
plugin: ssh
config:
  hosts: [{ address: 127.0.0.1, port: 2299 }]
  user: deploy
  privateKey: { fromFile: ${JSON.stringify(keyFile)} }
  passphrase: { fromEnv: DL_POINT3_SECRET }
  hostKeyFingerprints: [${JSON.stringify(fingerprint)}]
---
kind: Application
name: remote
releaseChannels: [{ name: staging, runtime: fleet }]
---
kind: Service
name: web
application: remote
parameters: [{ name: version, required: true }]
spec: { start: ./server }
`;
    expect((await server.data(APPLY_CONFIG, { documents })).applyConfig.userErrors).toEqual([]);
    const { runtimes } = await server.data(`{ runtimes { name config } }`);
    expect(runtimes[0].config.privateKey).toEqual({ fromFile: keyFile });
    // A reference that cannot be resolved is said at apply time, naming the field.
    const missing = await server.data(APPLY_CONFIG, { documents: documents.replace(JSON.stringify(keyFile), '/nonexistent/deploy_key') });
    expect(missing.applyConfig.userErrors[0]).toMatchObject({ code: 'INVALID_PLUGIN_CONFIG', message: expect.stringContaining('privateKey: secret reference fromFile /nonexistent/deploy_key: cannot read it (ENOENT)') });
    // A reference where no secret goes is refused by the plugin's schema, with the field's path.
    const wrong = await server.data(APPLY_CONFIG, { documents: documents.replace('user: deploy', 'user: { fromEnv: USER }') });
    expect(wrong.applyConfig.userErrors[0]).toMatchObject({ code: 'INVALID_PLUGIN_CONFIG', message: expect.stringContaining('config.user') });
    // The marker of sealed values is the server's own.
    const forged = await server.data(APPLY_CONFIG, { documents: documents.replace('passphrase: { fromEnv: DL_POINT3_SECRET }', 'passphrase: { $sealed: "dl1:x" }') });
    expect(forged.applyConfig.userErrors[0]).toMatchObject({ code: 'INVALID_PLUGIN_CONFIG', message: expect.stringContaining('$sealed') });
  });
});
