/**
 * Where the secrets of a runtime config are: the positions its plugin's config schema marks
 * `"x-secret": true`, at any depth (object properties, additionalProperties, array items).
 * Plain data in, plain data out; no keys here, so worker threads can use it too.
 *
 * A secret position holds one of:
 *   - a clear value (only in a document being applied; it is sealed before it is stored),
 *   - a sealed value `{ $sealed }` (seal.ts),
 *   - a reference `{ fromEnv: NAME }` or `{ fromFile: path }`, stored as written and resolved only
 *     where the plugin is called (resolve-refs.ts), so its value never enters the database.
 */
export type SecretRef = { fromEnv: string } | { fromFile: string };

type Schema = Record<string, unknown>;

const asSchema = (s: unknown): Schema | undefined => (typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Schema) : undefined);

export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const v = (value as Record<string, unknown>)[keys[0]!];
  return (keys[0] === 'fromEnv' || keys[0] === 'fromFile') && typeof v === 'string';
}

/**
 * Copies `value`, replacing what sits at each secret position with `fn(that, path)`. Paths are
 * dotted ("ssh.privateKey", "registryAuth.docker.io.password").
 */
export function mapSecretFields(value: unknown, schema: unknown, fn: (secret: unknown, path: string) => unknown, path = ''): unknown {
  const s = asSchema(schema);
  if (!s) return value;
  if (s['x-secret'] === true && value !== undefined) return fn(value, path);
  if (Array.isArray(value)) {
    const items = asSchema(s.items);
    return value.map((v, i) => mapSecretFields(v, items, fn, `${path}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) {
    const properties = asSchema(s.properties) ?? {};
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = mapSecretFields(v, Object.hasOwn(properties, key) ? properties[key] : s.additionalProperties, fn, path ? `${path}.${key}` : key);
    }
    return out;
  }
  return value;
}

/** Every value at a secret position, as text, for scrubbing (objects give their string leaves). */
export function secretStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(secretStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(secretStrings);
  return [];
}
