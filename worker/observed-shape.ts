/**
 * Checks that a plugin's `fetch` returned a well-formed ObservedState. Plugins are third-party
 * code: a wrong shape must become a readable PLUGIN_ERROR, never a crash deeper in the engine.
 * Hand-written rather than ajv: it runs on every tick, and the first problem is all we report.
 */
import type { ObservedState } from '@driftless/plugin-sdk';

const STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'];

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof value;
  }
}

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** The first problem with `value` as an ObservedState, or undefined when it is one. */
export function observedStateProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `state must be an object (got ${describe(value)})`;
  const objects = (value as { objects?: unknown }).objects;
  if (!Array.isArray(objects)) return `objects must be an array (got ${describe(objects)})`;
  for (let i = 0; i < objects.length; i++) {
    const at = `objects[${i}]`;
    const o = objects[i] as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) return `${at} must be an object (got ${describe(o)})`;
    if (typeof o.name !== 'string' || o.name === '') return `${at}.name must be a non-empty string (got ${describe(o.name)})`;
    if (!STATUSES.includes(o.status as string)) {
      return `${at}.status must be one of ${STATUSES.join(', ')} (got ${describe(o.status)})`;
    }
    if (o.message !== undefined && typeof o.message !== 'string') return `${at}.message must be a string when given`;
    if (!Array.isArray(o.versions)) return `${at}.versions must be an array (got ${describe(o.versions)})`;
    for (let j = 0; j < o.versions.length; j++) {
      const vat = `${at}.versions[${j}]`;
      const v = o.versions[j] as Record<string, unknown> | null;
      if (typeof v !== 'object' || v === null) return `${vat} must be an object (got ${describe(v)})`;
      if (typeof v.version !== 'string' || v.version === '') return `${vat}.version must be a non-empty string (got ${describe(v.version)})`;
      for (const key of ['replicas', 'availableReplicas'] as const) {
        if (!isCount(v[key])) return `${vat}.${key} must be a non-negative integer (got ${describe(v[key])})`;
      }
      for (const key of ['active', 'drifted'] as const) {
        if (typeof v[key] !== 'boolean') return `${vat}.${key} must be a boolean (got ${describe(v[key])})`;
      }
      if (v.restarts !== undefined && !isCount(v.restarts)) return `${vat}.restarts must be a non-negative integer when given (got ${describe(v.restarts)})`;
    }
  }
  return undefined;
}

/** A copy holding only the contract's fields: nothing else a plugin attached leaves the thread. */
export function cleanObservedState(value: ObservedState): ObservedState {
  return {
    objects: value.objects.map((o) => ({
      name: o.name,
      status: o.status,
      versions: o.versions.map((v) => ({
        version: v.version,
        replicas: v.replicas,
        availableReplicas: v.availableReplicas,
        active: v.active,
        drifted: v.drifted,
        ...(v.restarts !== undefined ? { restarts: v.restarts } : {}),
      })),
      ...(o.message !== undefined ? { message: o.message } : {}),
    })),
  };
}
