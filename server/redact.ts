import { isSecretRef } from './secrets/secret-fields.js';

/** Keys whose values are secret whatever the plugin's schema says. */
const SECRET_KEY = /(secret|password|passphrase|token|private[-_]?key|credential|api[-_]?key)/i;

export const REDACTED = '<redacted>';

/**
 * Replaces values under secret-looking keys, at any depth. The plugin host adds schema-based
 * redaction (`"x-secret": true`) on top; this is the floor that holds even without a plugin.
 */
export function redactByName<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactByName(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  // A secret reference ({ fromEnv }, { fromFile }) says where a secret is, not what it is: shown.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? (isSecretRef(v) ? v : REDACTED) : redactByName(v)])) as T;
}
