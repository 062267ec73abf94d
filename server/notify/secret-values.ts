import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Sealing of the notifier secrets (webhook URL, signing secret) before they reach the database.
 * The one place to point at the shared sealing module (server/secrets/) once it exists: callers
 * only use sealSecret/openSecret. Until then: AES-256-GCM with DRIFTLESS_SECRET_KEY (any string;
 * hashed to a key) or, without it, a key file created in the data directory (mode 0600). Replicas
 * on one PostgreSQL database need the same DRIFTLESS_SECRET_KEY.
 */
let key: Buffer | undefined;

export function configureSealing(options: { dataDir: string; secretKey?: string }): void {
  if (options.secretKey) {
    key = createHash('sha256').update(options.secretKey).digest();
    return;
  }
  const file = path.join(options.dataDir, 'notifier-secrets.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

function sealingKey(): Buffer {
  if (!key) throw new Error('secret sealing is not configured (configureSealing at server start)');
  return key;
}

export function sealSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
}

export function openSecret(sealed: string): string {
  if (!sealed.startsWith('v1:')) throw new Error('not a sealed value');
  const raw = Buffer.from(sealed.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
