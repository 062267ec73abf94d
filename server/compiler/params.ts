/**
 * Release parameters: only declared names, required ones present (or defaulted), values of the
 * declared type. `version=2` typed on a command line is a number to YAML and a string to a shell,
 * so a string parameter accepts numbers and an int parameter accepts a string of digits.
 */
import { diagnostic, suggestion } from './diagnostics.js';
import type { Diagnostic, ParameterDecl } from './types.js';

export type Coerced = { ok: true; value: string | number } | { ok: false; error: string };

export function coerceParam(decl: Pick<ParameterDecl, 'type'>, value: unknown): Coerced {
  if (decl.type === 'int') {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, value };
    if (typeof value === 'string' && /^-?\d+$/.test(value.trim()) && Number.isSafeInteger(Number(value))) {
      return { ok: true, value: Number(value) };
    }
    return { ok: false, error: `must be an integer, got ${JSON.stringify(value) ?? String(value)}` };
  }
  if (typeof value === 'string') return { ok: true, value };
  if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
  return { ok: false, error: `must be a string, got ${JSON.stringify(value) ?? String(value)}` };
}

/** The placeholder a dry-run preview shows for a required parameter nobody supplied yet. */
export function previewPlaceholder(name: string): string {
  return `<params.${name}>`;
}

export interface ResolvedParams {
  values: Record<string, string | number>;
  diagnostics: Diagnostic[];
  /** Parameters already reported as missing or invalid. */
  failed: Set<string>;
}

export function resolveParams(
  serviceName: string,
  declared: readonly ParameterDecl[],
  given: Record<string, unknown>,
  previewMissing: boolean,
): ResolvedParams {
  const where = (name: string) => ({ kind: 'Service', name: serviceName, fieldPath: `params.${name}` });
  const diagnostics: Diagnostic[] = [];
  const values: Record<string, string | number> = {};
  const failed = new Set<string>();
  const names = declared.map((d) => d.name);

  for (const name of Object.keys(given)) {
    if (!names.includes(name)) {
      const known = names.length > 0 ? ` (declared: ${names.join(', ')})` : ' (the service declares no parameters)';
      diagnostics.push(diagnostic('UNKNOWN_PARAMETER', `unknown parameter "${name}"${suggestion(name, names)}${known}`, where(name)));
    }
  }
  for (const decl of declared) {
    const value = given[decl.name] ?? decl.default;
    if (value === undefined || value === null) {
      if (!decl.required) continue;
      if (previewMissing) {
        values[decl.name] = previewPlaceholder(decl.name);
      } else {
        failed.add(decl.name);
        diagnostics.push(diagnostic('MISSING_PARAMETER', `missing required parameter "${decl.name}"`, where(decl.name)));
      }
      continue;
    }
    const coerced = coerceParam(decl, value);
    if (coerced.ok) {
      values[decl.name] = coerced.value;
    } else {
      failed.add(decl.name);
      diagnostics.push(diagnostic('INVALID_PARAMETER', `parameter "${decl.name}" (${decl.type}) ${coerced.error}`, where(decl.name)));
    }
  }
  return { values, diagnostics, failed };
}
