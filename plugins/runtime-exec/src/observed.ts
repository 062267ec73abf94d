/**
 * Structured fetch: the command's stdout is an ObservedState. Checked here, field by field, so a
 * wrong script gets a message that names the command and the field instead of a vague "malformed".
 */
import { RetryableError, type ObservedObject, type ObservedState } from '@driftless/plugin-sdk';

const STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'];
const FIRST_BYTES = 80;

/** The first bytes of what was printed, quoted on one line. */
export function firstBytes(text: string): string {
  const head = text.slice(0, FIRST_BYTES);
  return `${JSON.stringify(head)}${text.length > FIRST_BYTES ? '...' : ''}`;
}

/** The first problem of `value` as an ObservedState, or undefined when it is one. */
export function observedProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the top level must be an object { "objects": [...] }';
  if (!Array.isArray(value.objects)) return '"objects" must be an array';
  for (const [i, o] of value.objects.entries()) {
    const at = `objects[${i}]`;
    if (!isObject(o)) return `${at} must be an object`;
    if (typeof o.name !== 'string' || o.name === '') return `${at}.name must be a non-empty string`;
    if (!STATUSES.includes(o.status as string)) return `${at}.status must be one of ${STATUSES.join(', ')}`;
    if (o.message !== undefined && typeof o.message !== 'string') return `${at}.message must be a string`;
    if (!Array.isArray(o.versions)) return `${at}.versions must be an array`;
    for (const [j, v] of o.versions.entries()) {
      const vat = `${at}.versions[${j}]`;
      if (!isObject(v)) return `${vat} must be an object`;
      if (typeof v.version !== 'string' || v.version === '') return `${vat}.version must be a non-empty string`;
      for (const key of ['replicas', 'availableReplicas'] as const) {
        if (!Number.isInteger(v[key]) || (v[key] as number) < 0) return `${vat}.${key} must be an integer >= 0`;
      }
      for (const key of ['active', 'drifted'] as const) {
        if (typeof v[key] !== 'boolean') return `${vat}.${key} must be true or false`;
      }
    }
  }
  return undefined;
}

/** Parses and checks a structured fetch's stdout; throws a RetryableError naming `label`. */
export function parseObserved(label: string, stdout: string, truncated: boolean): ObservedState {
  if (truncated) throw new RetryableError(`${label} printed more than 1 MiB on stdout; structured output must be one ObservedState JSON`);
  if (stdout.trim() === '') throw new RetryableError(`${label} printed nothing on stdout; structured mode expects an ObservedState JSON`);
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (err) {
    throw new RetryableError(`${label} printed invalid JSON (${(err as Error).message}); first bytes: ${firstBytes(stdout)}`);
  }
  const problem = observedProblem(value);
  if (problem) throw new RetryableError(`${label} printed JSON that is not an ObservedState: ${problem}; first bytes: ${firstBytes(stdout)}`);
  // Only the contract's fields travel on: whatever else the script printed stays here.
  const objects = (value as { objects: Record<string, unknown>[] }).objects.map(
    (o): ObservedObject => ({
      name: o.name as string,
      status: o.status as ObservedObject['status'],
      versions: (o.versions as Record<string, unknown>[]).map((v) => ({
        version: v.version as string,
        replicas: v.replicas as number,
        availableReplicas: v.availableReplicas as number,
        active: v.active as boolean,
        drifted: v.drifted as boolean,
      })),
      ...(typeof o.message === 'string' ? { message: o.message } : {}),
    }),
  );
  return { objects };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
