/**
 * Encryption of secret values at rest: AES-256-GCM with a key kept outside the database.
 *
 * Where the key comes from (first that is set):
 *   1. DRIFTLESS_SECRET_KEY: one or more keys, comma-separated (base64 or hex of 32 bytes). The
 *      variable is read once and removed from the environment, so children never inherit it.
 *   2. DRIFTLESS_SECRET_KEY_FILE: a file with one key per line.
 *   3. <dataDir>/secret.key: generated with mode 0600 on first start.
 * The first key seals; every listed key opens (so values sealed before a rotation still open).
 *
 * A sealed value is `{ "$sealed": "dl1:<key id>:<iv>:<ciphertext>:<tag>" }` (base64url parts), the
 * AES-GCM encryption of the value's JSON. Nothing else in this module knows about runtimes or
 * schemas: `SecretBox` is the API other parts (notifier URLs, ...) can reuse.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface SealedSecret {
  $sealed: string;
}

const PREFIX = 'dl1';
const AAD = Buffer.from('driftless-secret-v1');
export const KEY_FILE_NAME = 'secret.key';

export function isSealed(value: unknown): value is SealedSecret {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as SealedSecret).$sealed === 'string';
}

export function generateSecretKey(): Buffer {
  return randomBytes(32);
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('driftless-key-id:').update(key).digest('hex').slice(0, 12);
}

/** Where the keys were found: a file can be re-read (rotation by another process), a variable cannot. */
export type KeySource = { kind: 'file'; path: string; generated: boolean } | { kind: 'env'; name: string };

export class SecretKeyError extends Error {}

export class SecretBox {
  private keys: Buffer[];
  private byId: Map<string, Buffer>;
  private fileStamp = '';

  constructor(keys: Buffer[], readonly source: KeySource) {
    if (keys.length === 0) throw new SecretKeyError('no secret key');
    this.keys = keys;
    this.byId = new Map(keys.map((k) => [keyId(k), k]));
    this.fileStamp = this.stamp();
  }

  /** Id of the key new values are sealed with. */
  get currentKeyId(): string {
    return keyId(this.keys[0]!);
  }

  get keyIds(): string[] {
    return this.keys.map(keyId);
  }

  seal(value: unknown): SealedSecret {
    this.reloadIfChanged();
    const key = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    const parts = [PREFIX, keyId(key), iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')];
    return { $sealed: parts.join(':') };
  }

  open(sealed: SealedSecret): unknown {
    const parts = sealed.$sealed.split(':');
    if (parts.length !== 5 || parts[0] !== PREFIX) throw new SecretKeyError('not a sealed secret of this format');
    const [, id, iv, body, tag] = parts as [string, string, string, string, string];
    let key = this.byId.get(id);
    if (!key) {
      // Rotated by another process (driftless secrets rotate-key) since we read the file.
      this.reloadIfChanged(true);
      key = this.byId.get(id);
    }
    if (!key) throw new SecretKeyError(`a secret was sealed with key ${id}, which is not among the configured keys (${this.keyIds.join(', ')})`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  }

  /** Sealed with the current key (false: re-seal it). */
  isCurrent(sealed: SealedSecret): boolean {
    return sealed.$sealed.split(':')[1] === this.currentKeyId;
  }

  /**
   * A keyed fingerprint of a value (HMAC-SHA256 under a key derived from the current key): lets a
   * re-apply notice "same secret" without storing a plain hash that could be brute-forced.
   */
  fingerprint(value: unknown): string {
    const derived = createHmac('sha256', this.keys[0]!).update('driftless-fingerprint').digest();
    return createHmac('sha256', derived).update(JSON.stringify(value)).digest('base64url');
  }

  private stamp(): string {
    if (this.source.kind !== 'file') return '';
    try {
      const s = statSync(this.source.path);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return '';
    }
  }

  private reloadIfChanged(force = false): void {
    if (this.source.kind !== 'file') return;
    const now = this.stamp();
    if (!force && now === this.fileStamp) return;
    try {
      const keys = parseKeys(readFileSync(this.source.path, 'utf8'), this.source.path);
      if (keys.length === 0) return;
      this.keys = keys;
      // Keys read earlier keep opening what they sealed, even if the file dropped them.
      for (const k of keys) this.byId.set(keyId(k), k);
      this.fileStamp = now;
    } catch {
      // Keep the keys we have: a half-written file must not take secrets away.
    }
  }
}

/** "base64,hex,..." or one per line; blank lines and # comments are ignored. */
export function parseKeys(text: string, where: string): Buffer[] {
  const keys: Buffer[] = [];
  const items = text.split('\n').flatMap((line) => line.replace(/#.*/, '').split(','));
  for (const raw of items) {
    const item = raw.trim();
    if (!item) continue;
    const key = /^[0-9a-fA-F]{64}$/.test(item) ? Buffer.from(item, 'hex') : Buffer.from(item, 'base64');
    if (key.length !== 32) throw new SecretKeyError(`${where}: a secret key must be 32 bytes in base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32`);
    keys.push(key);
  }
  return keys;
}

export function formatKeyFile(keys: Buffer[]): string {
  const [current, ...previous] = keys.map((k) => k.toString('base64'));
  return [
    '# Driftless secret keys: the first seals, every one opens. Keep this file out of backups of the database.',
    current,
    ...(previous.length ? ['# previous keys (values sealed with them still open; `driftless secrets rotate-key --prune` drops them)', ...previous] : []),
    '',
  ].join('\n');
}

/** Writes a key file atomically with mode 0600 (a temporary file renamed over the old one). */
export function writeKeyFile(file: string, keys: Buffer[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, formatKeyFile(keys));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface LoadKeyOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Create <dataDir>/secret.key when no key is configured (the server: yes; tools: no). */
  create?: boolean;
}

/** The server's key ring; see the module comment for where it comes from. */
export function loadSecretBox(options: LoadKeyOptions): SecretBox {
  const env = options.env ?? process.env;
  const fromEnv = env.DRIFTLESS_SECRET_KEY;
  if (fromEnv) {
    // Read once: the key must not stay in an environment that every child process inherits.
    if (env === process.env) delete process.env.DRIFTLESS_SECRET_KEY;
    return new SecretBox(parseKeys(fromEnv, 'DRIFTLESS_SECRET_KEY'), { kind: 'env', name: 'DRIFTLESS_SECRET_KEY' });
  }
  const file = env.DRIFTLESS_SECRET_KEY_FILE ? path.resolve(env.DRIFTLESS_SECRET_KEY_FILE) : path.join(options.dataDir, KEY_FILE_NAME);
  if (existsSync(file)) {
    const keys = parseKeys(readFileSync(file, 'utf8'), file);
    if (keys.length === 0) throw new SecretKeyError(`${file}: holds no secret key`);
    return new SecretBox(keys, { kind: 'file', path: file, generated: false });
  }
  if (env.DRIFTLESS_SECRET_KEY_FILE) throw new SecretKeyError(`DRIFTLESS_SECRET_KEY_FILE: ${file} does not exist`);
  if (options.create === false) throw new SecretKeyError(`no secret key: ${file} does not exist and DRIFTLESS_SECRET_KEY is not set`);
  const key = generateSecretKey();
  mkdirSync(path.dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600); // exclusive: two servers starting at once agree on one key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretBox({ ...options, create: false });
    throw err;
  }
  try {
    writeSync(fd, formatKeyFile([key]));
  } finally {
    closeSync(fd);
  }
  return new SecretBox([key], { kind: 'file', path: file, generated: true });
}
