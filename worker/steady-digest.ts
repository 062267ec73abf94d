/**
 * The steady re-check's short answer (issue 17). A converged instance that nothing has changed
 * about is looked at again every steady interval; the engine sends it with the digest of what its
 * last tick saw (`TickInput.expect`). When this tick saw exactly that again, the thread answers
 * "as expected" without the observed state: nothing crosses back but the instance id and timings,
 * and the main thread neither decodes, re-plans nor writes anything for it.
 */
import { createHash } from 'node:crypto';
import type { TickInput, TickResult } from './types.js';

/** What identifies a converged look: the observed state and the decision on it. Undefined: not a steady look. */
export function steadyDigest(r: TickResult): string | undefined {
  if (!r.converged || r.applied || r.error || r.beforeApply || !r.observed) return undefined;
  return createHash('sha1').update(JSON.stringify([r.observed, r.reasons, r.unhealthy ?? false])).digest('base64');
}

/** The result as it crosses back: short when it is what the engine expected, else with its digest. */
export function withSteadyDigest(input: TickInput, r: TickResult): TickResult {
  const digest = steadyDigest(r);
  if (digest === undefined) return r;
  if (input.expect !== digest) return { ...r, steadyDigest: digest };
  const short: TickResult = { instanceId: r.instanceId, converged: true, applied: false, reasons: [], asExpected: true, startedAt: r.startedAt, durationMs: r.durationMs };
  if (r.hookMs) short.hookMs = r.hookMs;
  if (r.logs) short.logs = r.logs;
  return short;
}
