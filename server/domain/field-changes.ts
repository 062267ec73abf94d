import { REDACTED } from '../redact.js';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Keys whose values may be secret: names that look like one, and whole subtrees that may hold them (plugin config, env). */
const SECRET_KEY = /(secret|password|passphrase|token|private[-_]?key|credential|api[-_]?key|url)/i;
const SECRET_SUBTREE = new Set(['config', 'env']);
const MAX_CHANGES = 50;

function leaves(value: unknown, path: string, secret: boolean, out: Map<string, { value: unknown; secret: boolean }>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && path) out.set(path, { value: {}, secret });
    for (const [k, v] of entries) leaves(v, path ? `${path}.${k}` : k, secret || SECRET_SUBTREE.has(k) || SECRET_KEY.test(k), out);
    return;
  }
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    if (value.length === 0) out.set(path, { value: [], secret });
    value.forEach((v, i) => leaves(v, `${path}[${i}]`, secret, out));
    return;
  }
  out.set(path, { value, secret });
}

/**
 * Field-level before/after of two config documents for the audit trail (event data `changes`).
 * Values that may be secret are never written: such a change says only that the field changed.
 */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = new Map<string, { value: unknown; secret: boolean }>();
  const b = new Map<string, { value: unknown; secret: boolean }>();
  if (before !== undefined) leaves(before, '', false, a);
  leaves(after, '', false, b);
  const changes: FieldChange[] = [];
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(field);
    const y = b.get(field);
    if (JSON.stringify(x?.value) === JSON.stringify(y?.value)) continue;
    const secret = x?.secret || y?.secret;
    const shown = (v: { value: unknown } | undefined) => (v === undefined ? null : secret ? REDACTED : v.value);
    changes.push({ field, before: shown(x), after: shown(y) });
    if (changes.length >= MAX_CHANGES) break;
  }
  return changes;
}
