/**
 * A field-level diff of two JSON values: what applying one changes against the other. Objects are
 * compared key by key (a path per leaf); arrays and scalars are compared whole, because an array
 * element has no stable identity to pair it with (the compiler replaces lists, it never merges them).
 */
export interface FieldChange {
  /** Dotted path from the root, e.g. "spec.env.VERSION". */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameValue(a[k], b[k])) return false;
    return true;
  }
  return false;
}

export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const out: FieldChange[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const sub = path ? `${path}.${key}` : key;
      if (!(key in before)) out.push({ path: sub, kind: 'added', after: after[key] });
      else if (!(key in after)) out.push({ path: sub, kind: 'removed', before: before[key] });
      else out.push(...diffValues(before[key], after[key], sub));
    }
    return out;
  }
  if (sameValue(before, after)) return [];
  if (before === undefined) return [{ path, kind: 'added', after }];
  if (after === undefined) return [{ path, kind: 'removed', before }];
  return [{ path, kind: 'changed', before, after }];
}

/** One line for a value in a diff: strings bare, everything else as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
