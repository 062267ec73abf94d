import type { Draft, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';

const HISTORY_LIMIT = 5;

export function markBad(draft: Draft, releaseId: string): void {
  const bad = new Set(draft.es.badReleaseIds ?? []);
  bad.add(releaseId);
  // Keep the list bounded: very old bad releases can no longer become desired again anyway.
  draft.es.badReleaseIds = [...bad].slice(-20);
}

/**
 * A release failed in this channel: mark it bad here (automation never promotes it again) and
 * steer back to the newest release that converged here before it. With none, halt: fetch and
 * report, but stop applying.
 */
export function startRollback(draft: Draft, ctx: InstanceContext, failedReleaseId: string, why: Reason): void {
  markBad(draft, failedReleaseId);
  draft.es.failure = { releaseId: failedReleaseId, code: why.code, message: why.message, at: ctx.now };
  const bad = new Set(draft.es.badReleaseIds);
  const previous = (draft.es.history ?? []).find((h) => h.releaseId !== failedReleaseId && !bad.has(h.releaseId));
  draft.events.push({ type: 'RELEASE_FAILED', message: `${labelOf(ctx, failedReleaseId)} failed in ${ctx.channel.name}: ${why.message}`, data: { releaseId: failedReleaseId, code: why.code } });
  draft.es.attempts = 0;
  draft.es.pendingTicks = 0;
  if (previous) {
    draft.targetReleaseId = previous.releaseId;
    draft.targetState = previous.state;
    draft.es.mode = 'rollback';
    draft.es.rolloutStartedAt = ctx.now;
    draft.events.push({ type: 'ROLLBACK_STARTED', message: `rolling ${ctx.channel.name} back from ${labelOf(ctx, failedReleaseId)} to ${labelOf(ctx, previous.releaseId)}`, data: { from: failedReleaseId, to: previous.releaseId } });
  } else {
    draft.es.mode = 'halted';
  }
}

/** Remembers a converged release as a rollback target (newest first, bounded). */
export function rememberConverged(draft: Draft, releaseId: string, now: number): void {
  if (!draft.targetState) return;
  const history = (draft.es.history ?? []).filter((h) => h.releaseId !== releaseId);
  history.unshift({ releaseId, state: draft.targetState, convergedAt: now });
  draft.es.history = history.slice(0, HISTORY_LIMIT);
}
