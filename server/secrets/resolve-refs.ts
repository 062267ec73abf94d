/**
 * Resolves secret references where a plugin is called (a worker thread, or the plugin host for
 * deletes), at call time, so their values never reach the database, the API or the engine's cache.
 * `{ fromEnv: NAME }` reads the server's environment; `{ fromFile: path }` reads the file (one
 * trailing newline is dropped, as `echo` writes one).
 */
import { readFileSync } from 'node:fs';
import { isSecretRef, mapSecretFields, secretStrings, type SecretRef } from './secret-fields.js';

export class SecretRefError extends Error {}

export interface ResolvedConfig {
  config: Record<string, unknown>;
  /** Every clear secret value of the config (resolved references included): scrub them from output. */
  secrets: string[];
}

export function resolveRef(ref: SecretRef, path: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('fromEnv' in ref) {
    const value = env[ref.fromEnv];
    if (value === undefined) throw new SecretRefError(`runtime config ${path}: secret reference fromEnv ${ref.fromEnv}: the variable is not set in the server's environment`);
    return value;
  }
  try {
    return readFileSync(ref.fromFile, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecretRefError(`runtime config ${path}: secret reference fromFile ${ref.fromFile}: cannot read it (${code})`);
  }
}

// Not imported from seal.ts: this module runs in worker threads and needs no crypto.
function isSealedShape(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { $sealed?: unknown }).$sealed === 'string';
}

/** The config the plugin gets: references replaced by their values. Throws SecretRefError. */
export function resolveSecretRefs(config: Record<string, unknown>, schema: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const secrets: string[] = [];
  const resolved = mapSecretFields(config, schema, (value, path) => {
    if (isSealedShape(value)) throw new SecretRefError(`runtime config ${path}: the secret is sealed with a key this server does not have (see "Secrets" in the README: DRIFTLESS_SECRET_KEY / DRIFTLESS_SECRET_KEY_FILE)`);
    const clear = isSecretRef(value) ? resolveRef(value, path, env) : value;
    secrets.push(...secretStrings(clear));
    return clear;
  }) as Record<string, unknown>;
  return { config: resolved, secrets };
}
