/**
 * Issue 10, point 3: the sealing module itself (server/secrets/seal.ts), the API other parts
 * (notifier URLs) reuse: AES-256-GCM that refuses tampering, keys that open after a rotation,
 * and precise errors for a bad key setting.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSecretKey, isSealed, loadSecretBox, SecretBox, SecretKeyError, writeKeyFile } from '../../server/secrets/seal.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-seal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('issue 10 point 3: sealing secrets', () => {
  it('seals any JSON value, opens it again, never the same ciphertext twice, and refuses a changed one', () => {
    const box = new SecretBox([generateSecretKey()], { kind: 'env', name: 'TEST' });
    const a = box.seal('hunter2hunter2');
    const b = box.seal('hunter2hunter2');
    expect(isSealed(a)).toBe(true);
    expect(a.$sealed).not.toBe(b.$sealed);
    expect(a.$sealed).not.toContain('hunter2');
    expect(box.open(a)).toBe('hunter2hunter2');
    expect(box.open(box.seal({ user: 'u', n: 3 }))).toEqual({ user: 'u', n: 3 });
    const parts = a.$sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open({ $sealed: parts.join(':') })).toThrow();
    const other = new SecretBox([generateSecretKey()], { kind: 'env', name: 'TEST' });
    expect(() => other.open(a)).toThrow(/sealed with key [0-9a-f]{12}, which is not among the configured keys/);
  });

  it('the first key seals and every key opens; a key file rewritten by another process is re-read', () => {
    const file = path.join(tempDir(), 'keys');
    const [k1, k2] = [generateSecretKey(), generateSecretKey()];
    writeKeyFile(file, [k1]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const box = loadSecretBox({ dataDir: '/nonexistent', env: { DRIFTLESS_SECRET_KEY_FILE: file } });
    const old = box.seal('v');
    // Rotation elsewhere: a new first key, the old one kept.
    writeKeyFile(file, [k2, k1]);
    const rotated = new SecretBox([k2, k1], { kind: 'env', name: 'X' });
    const fresh = rotated.seal('w');
    expect(box.open(fresh)).toBe('w'); // unknown key id → the file is read again
    expect(box.open(old)).toBe('v');
    expect(box.isCurrent(box.seal('x'))).toBe(true);
    expect(box.currentKeyId).toBe(rotated.currentKeyId);
  });

  it('DRIFTLESS_SECRET_KEY is read once and leaves the environment; bad settings are precise errors', () => {
    process.env.DRIFTLESS_SECRET_KEY = `${generateSecretKey().toString('base64')},${generateSecretKey().toString('hex')}`;
    const box = loadSecretBox({ dataDir: tempDir() });
    expect(box.keyIds).toHaveLength(2);
    expect(process.env.DRIFTLESS_SECRET_KEY).toBeUndefined();
    expect(() => loadSecretBox({ dataDir: tempDir(), env: { DRIFTLESS_SECRET_KEY: 'short' } })).toThrow(new SecretKeyError('DRIFTLESS_SECRET_KEY: a secret key must be 32 bytes in base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32'));
    expect(() => loadSecretBox({ dataDir: tempDir(), env: { DRIFTLESS_SECRET_KEY_FILE: '/nonexistent/key' } })).toThrow(/DRIFTLESS_SECRET_KEY_FILE: \/nonexistent\/key does not exist/);
    const empty = path.join(tempDir(), 'empty');
    writeFileSync(empty, '# nothing\n');
    expect(() => loadSecretBox({ dataDir: tempDir(), env: { DRIFTLESS_SECRET_KEY_FILE: empty } })).toThrow(/holds no secret key/);
  });

  it('generates <dataDir>/secret.key once, mode 0600, and finds it again', () => {
    const dataDir = tempDir();
    const first = loadSecretBox({ dataDir, env: {} });
    expect(first.source).toMatchObject({ kind: 'file', generated: true });
    const file = path.join(dataDir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadSecretBox({ dataDir, env: {} });
    expect(again.source).toMatchObject({ kind: 'file', generated: false });
    expect(again.currentKeyId).toBe(first.currentKeyId);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Driftless secret keys/);
  });
});
