import type { SecretBox } from '../secrets/seal.js';

/**
 * Sealing of the notifier secrets (webhook URL, signing secret) before they reach the database,
 * with the server's one secret key (server/secrets/seal.ts: AES-256-GCM, the key outside the
 * database). Stored as the sealed string itself (`dl1:<key id>:...`), so `driftless secrets
 * rotate-key --prune` sees which keys notifier values still use.
 */
let box: SecretBox | undefined;

export function configureSealing(secretBox: SecretBox): void {
  box = secretBox;
}

function sealingBox(): SecretBox {
  if (!box) throw new Error('secret sealing is not configured (configureSealing at server start)');
  return box;
}

export function sealSecret(plain: string): string {
  return sealingBox().seal(plain).$sealed;
}

export function openSecret(sealed: string): string {
  const value = sealingBox().open({ $sealed: sealed });
  if (typeof value !== 'string') throw new Error('a sealed notifier secret is not a string');
  return value;
}

/** The key id a stored notifier value is sealed with. */
export function sealedKeyId(sealed: string): string {
  return sealed.split(':')[1] ?? '';
}
