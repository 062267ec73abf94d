/**
 * Which file of a plugin package to import. Resolved by hand (not by `import(name)`) so plugins
 * outside any node_modules (DRIFTLESS_PLUGIN_PATH) load the same way as installed ones.
 * `exports["."]`: the `source` condition (TypeScript) when running from source — under vitest or
 * with DRIFTLESS_PLUGIN_SOURCE=1 — else `import`, then `default`; then `main`; then index.js.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PackageJson } from './discover.js';

export function preferSource(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DRIFTLESS_PLUGIN_SOURCE === '1' || env.VITEST !== undefined;
}

/** Follows nested condition objects; the first condition present (in `order`) wins. */
function pick(target: unknown, order: string[]): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = pick(t, order);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  const conditions = target as Record<string, unknown>;
  for (const condition of order) {
    if (condition in conditions) {
      const found = pick(conditions[condition], order);
      if (found) return found;
    }
  }
  return undefined;
}

function rootExport(exportsField: unknown): unknown {
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return exportsField;
  if (typeof exportsField !== 'object' || exportsField === null) return undefined;
  const map = exportsField as Record<string, unknown>;
  // Either a map of subpaths ({ ".": ... }) or directly the conditions of ".".
  return Object.keys(map).some((k) => k.startsWith('.')) ? map['.'] : map;
}

/** Absolute path of the entry file, or an explanation of why there is none. */
export function resolveEntry(dir: string, pkg: PackageJson, source = preferSource()): { path: string } | { error: string } {
  const order = [...(source ? ['source'] : []), 'import', 'node', 'default'];
  const tried: string[] = [];
  const fromExports = pick(rootExport(pkg.exports), order);
  for (const rel of [fromExports, pkg.main, 'index.js']) {
    if (typeof rel !== 'string') continue;
    const path = resolve(join(dir, rel));
    if (existsSync(path)) return { path };
    tried.push(rel);
    // With `exports` present, Node would not fall back to `main`: neither do we.
    if (rel === fromExports) break;
  }
  return { error: `entry file not found (tried ${tried.join(', ') || 'nothing'}); was the package built?` };
}
