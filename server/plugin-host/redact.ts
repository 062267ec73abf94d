/**
 * Replaces the values of config properties whose schema says `"x-secret": true` with "<redacted>",
 * at any depth (object properties, additionalProperties, array items). Returns a copy.
 */
import { isSecretRef } from '../secrets/secret-fields.js';

export const REDACTED = '<redacted>';

type Schema = Record<string, unknown>;

const asSchema = (s: unknown): Schema | undefined => (typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Schema) : undefined);

export function redact(value: unknown, schema: unknown): unknown {
  const s = asSchema(schema);
  if (!s) return clone(value);
  // A reference ({ fromEnv }, { fromFile }) names where the secret is, not what it is: shown as written.
  if (s['x-secret'] === true && value !== undefined) return isSecretRef(value) ? clone(value) : REDACTED;
  if (Array.isArray(value)) {
    const items = asSchema(s.items);
    return value.map((v) => redact(v, items));
  }
  if (typeof value === 'object' && value !== null) {
    const properties = asSchema(s.properties) ?? {};
    const additional = s.additionalProperties;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = redact(v, Object.hasOwn(properties, key) ? properties[key] : additional);
    }
    return out;
  }
  return value;
}

function clone(value: unknown): unknown {
  return value === undefined ? undefined : structuredClone(value);
}
