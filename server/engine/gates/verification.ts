/**
 * `evaluateVerification`: the post-deploy phase of httpCheck gates. After this channel converges on
 * a release, each httpCheck must keep passing for its `durationMs`; only then is the release
 * verified here (and downstream channels may take it).
 *
 * Pure. The engine calls it when the instance converges, at `recheckAt`, and whenever the
 * HealthMonitor reports a change; once it answers 'verified' the engine records `verifiedAt` and
 * stops asking. Any failing probe sent at or after `convergedAt` and seen before then fails the
 * release: a check that flapped is not trusted, even if it passes again by now.
 */
import { formatDuration, formatUtc } from './format.js';
import { gateKey } from './keys.js';
import type { GateReason, VerificationInput, VerificationResult } from './types.js';

export function evaluateVerification(input: VerificationInput): VerificationResult {
  const { now, convergedAt, health } = input;
  const failed: GateReason[] = [];
  const verifying: GateReason[] = [];
  let recheckAt: number | undefined;

  for (const gate of input.gates) {
    if (gate.type !== 'httpCheck') continue;
    const result = health[gateKey(gate)];
    const endsAt = convergedAt + gate.durationMs;
    const failedAt = result?.lastFailedAt;
    if (result && failedAt !== undefined && failedAt >= convergedAt) {
      const what = result.ok ? `GET ${gate.url} failed` : result.message;
      failed.push({
        code: 'CHECK_FAILING',
        message: `post-deploy check failed: ${what} at ${formatUtc(failedAt, now)}, ${formatDuration(failedAt - convergedAt)} after converging`,
      });
      continue;
    }
    if (result && result.ok && result.checkedAt >= convergedAt && now >= endsAt) continue;

    const done = `done at ${formatUtc(endsAt, now)}`;
    const message =
      result && result.checkedAt >= convergedAt
        ? `verifying: GET ${gate.url} has passed for ${formatDuration(now - convergedAt)} of ${formatDuration(gate.durationMs)} (${done})`
        : `verifying: waiting for the first check of GET ${gate.url} since converging (${done})`;
    verifying.push({ code: 'VERIFYING', message });
    if (endsAt > now && (recheckAt === undefined || endsAt < recheckAt)) recheckAt = endsAt;
  }

  if (failed.length) return { state: 'failed', reasons: failed };
  if (verifying.length) {
    const result: VerificationResult = { state: 'verifying', reasons: verifying };
    if (recheckAt !== undefined) result.recheckAt = recheckAt;
    return result;
  }
  return { state: 'verified', reasons: [] };
}
