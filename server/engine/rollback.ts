import type { CompiledChannelState } from '../compiler/types.js';
import type { Draft, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';
import type { EngineState } from './types.js';

const HISTORY_LIMIT = 5;

type HistoryEntry = NonNullable<EngineState['history']>[number];

export function markBad(draft: Draft, releaseId: string): void {
  const bad = new Set(draft.es.badReleaseIds ?? []);
  bad.add(releaseId);
  // Keep the list bounded: very old bad releases can no longer become desired again anyway.
  draft.es.badReleaseIds = [...bad].slice(-20);
}

/**
 * Where a rollback from `releaseId` goes: the newest release that converged here before it, is not
 * marked bad, and runs something else (a release that compiled to the same state here is no way back).
 */
export function rollbackTargetOf(es: EngineState, releaseId: string, digest: string | undefined): HistoryEntry | undefined {
  const bad = new Set(es.badReleaseIds ?? []);
  return (es.history ?? []).find((h) => h.releaseId !== releaseId && !bad.has(h.releaseId) && h.state.digest !== digest);
}

export interface RollbackCause {
  /** A person asked for it (rollbackService): not a failure of the release, but it is marked bad here all the same. */
  requestedBy?: string;
  /** To this release (rollback --to), instead of the newest earlier one that converged here. */
  to?: { releaseId: string; state: CompiledChannelState; version?: string };
}

/**
 * The release `failedReleaseId` is to leave this channel: mark it bad here (automation never
 * promotes it again) and steer back to the newest release that converged here before it. With
 * none, halt: fetch and report, but stop applying.
 */
export function startRollback(draft: Draft, ctx: InstanceContext, failedReleaseId: string, why: Reason, cause: RollbackCause = {}): void {
  const failedDigest = failedReleaseId === draft.targetReleaseId ? draft.targetState?.digest : undefined;
  markBad(draft, failedReleaseId);
  draft.es.failure = { releaseId: failedReleaseId, code: why.code, message: why.message, at: ctx.now };
  const previous = cause.to ?? rollbackTargetOf(draft.es, failedReleaseId, failedDigest);
  const from = labelOf(ctx, failedReleaseId);
  if (!cause.requestedBy) {
    draft.events.push({ type: 'RELEASE_FAILED', message: `${from} failed in ${ctx.channel.name}: ${why.message}`, data: { releaseId: failedReleaseId, code: why.code } });
  }
  draft.es.attempts = 0;
  draft.es.pendingTicks = 0;
  clearRunHistory(draft.es);
  if (previous) {
    draft.startsRollout = true;
    draft.targetReleaseId = previous.releaseId;
    draft.targetState = previous.state;
    draft.es.mode = 'rollback';
    draft.es.rolloutStartedAt = ctx.now;
    draft.es.runtimeVersion = { version: previous.version ?? previous.releaseId, digest: previous.state.digest };
    const to = labelOf(ctx, previous.releaseId);
    const message = cause.requestedBy
      ? `${cause.requestedBy} rolled ${ctx.service.name} back in ${ctx.channel.name} from ${from} to ${to}; ${from} is marked bad here`
      : `rolling ${ctx.channel.name} back from ${from} to ${to}`;
    draft.events.push({ type: 'ROLLBACK_STARTED', message, data: { from: failedReleaseId, to: previous.releaseId, ...(cause.requestedBy ? { requestedBy: cause.requestedBy } : {}) } });
  } else {
    draft.es.mode = 'halted';
  }
}

/** What was counted about the release that ran (crashes, stabilization, health hold) starts over. */
export function clearRunHistory(es: EngineState): void {
  es.stableSince = undefined;
  es.heals = undefined;
  es.restartTimes = undefined;
  es.restarts = undefined;
  es.down = undefined;
  es.lastCrash = undefined;
  es.hold = undefined;
  es.step = undefined;
}

/** Remembers a converged release as a rollback target (newest first, bounded). */
export function rememberConverged(draft: Draft, releaseId: string, convergedAt: number, state: CompiledChannelState | null = draft.targetState): void {
  if (!state) return;
  const history = (draft.es.history ?? []).filter((h) => h.releaseId !== releaseId);
  const version = draft.es.runtimeVersion?.digest === state.digest ? draft.es.runtimeVersion.version : releaseId;
  history.unshift({ releaseId, state, convergedAt, version });
  draft.es.history = history.slice(0, HISTORY_LIMIT);
}
