/**
 * The secrets of Runtime configs, on the main thread: sealing the values an applied document
 * carries at its plugin's `x-secret` positions, opening them for the plugin calls, the digest
 * that tells a re-apply "unchanged" without a plain hash of a secret. References
 * (`fromEnv`/`fromFile`) pass through untouched: only the place that calls the plugin resolves
 * them (resolve-refs.ts).
 */
import type { JsonObject, RuntimeDoc } from '../compiler/types.js';
import { contentDigest } from '../compiler/index.js';
import { isSealed, type SecretBox } from './seal.js';
import { isSecretRef, mapSecretFields, secretStrings } from './secret-fields.js';
import type { KnownSecrets } from './scrub.js';

/** The config schema of a loaded plugin; undefined when it is not loaded here. */
export type SchemaOf = (plugin: string) => unknown;

export class RuntimeSecrets {
  constructor(
    readonly box: SecretBox,
    private readonly schemaOf: SchemaOf,
    readonly known: KnownSecrets,
  ) {}

  /** Clear values at secret positions → sealed; references and sealed values stay. */
  seal(plugin: string, config: JsonObject): JsonObject {
    return mapSecretFields(config, this.schemaOf(plugin), (value) => (isSealed(value) || isSecretRef(value) ? value : this.box.seal(value))) as JsonObject;
  }

  /** Sealed values → clear (and remembered for scrubbing); references stay for the caller to resolve. */
  open(config: Record<string, unknown>): Record<string, unknown> {
    return openSealed(config, this.box, this.known);
  }

  /** Digest of a Runtime document as stored (sealed): each sealed value counts by its fingerprint. */
  digest(doc: RuntimeDoc): string {
    return runtimeDigest(doc, this.box);
  }
}

/** Opens every sealed value, wherever it sits (only sealing writes the marker). */
export function openSealed(value: Record<string, unknown>, box: SecretBox, known?: KnownSecrets): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (isSealed(v)) {
      let clear: unknown;
      try {
        clear = box.open(v);
      } catch {
        // Left sealed: where the plugin is called it fails with a reason naming the field.
        return v;
      }
      known?.add(secretStrings(clear));
      return clear;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as Record<string, unknown>;
}

export function runtimeDigest(doc: RuntimeDoc, box: SecretBox): string {
  const walk = (v: unknown): unknown => {
    if (isSealed(v)) return { $fingerprint: box.fingerprint(box.open(v)) };
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return contentDigest({ ...doc, config: walk(doc.config) });
}

/** The first `$sealed` key a user wrote anywhere in a config: refused, only the server writes it. */
export function reservedKeyPath(value: unknown, path = 'config'): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = reservedKeyPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$sealed') return `${path}.${k}`;
      const found = reservedKeyPath(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}
