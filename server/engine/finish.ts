import type { TickResult } from '../../worker/types.js';
import type { ConvergenceStatus, StatusReason } from '../domain/status.js';
import { evaluateVerification } from './gates/index.js';
import type { Draft, DraftEvent, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';
import { rememberConverged, startRollback } from './rollback.js';
import type { InstanceUpdate } from './types.js';

export interface Outcome {
  update: InstanceUpdate;
  events: DraftEvent[];
}

/**
 * After the tick (pure): fold the tick's result into the instance's status, reasons, schedule and
 * engine state. Without a tick (nothing to run yet) the draft alone decides.
 */
export function finish(ctx: InstanceContext, draft: Draft, result?: TickResult): Outcome {
  const { now, settings } = ctx;
  const es = draft.es;
  const i = ctx.instance;
  let status: ConvergenceStatus;
  let reasons: Reason[] = [];
  let nextCheckAt: number | null = null;
  let observed = i.observed;

  if (!draft.targetReleaseId || !result) {
    // Nothing runs here yet (or nothing to tick): the status says what we wait for.
    if (draft.blocked.length) {
      status = 'FAILED';
      reasons = draft.blocked;
    } else if (draft.waiting.length) {
      status = draft.paused ? 'PAUSED' : 'WAITING';
      reasons = draft.waiting;
      nextCheckAt = waitCheck(ctx, draft);
    } else if (!i.desiredReleaseId) {
      status = 'PENDING';
      reasons = [{ code: 'NO_RELEASE', message: 'no release of this service has been created yet' }];
    } else if (es.failure && es.failure.releaseId === i.desiredReleaseId) {
      // The desired release failed here before anything ran (rejected): nothing to do until a new release.
      status = 'FAILED';
      reasons = [failureReason(ctx, draft)];
    } else {
      status = 'PENDING';
      reasons = [{ code: 'NOT_YET_CHECKED', message: 'the engine has not looked at this instance yet' }];
      nextCheckAt = now + settings.gatePollMs;
    }
  } else {
    observed = result.observed ?? i.observed;
    const target = draft.targetReleaseId;
    if (result.error) {
      es.attempts = (es.attempts ?? 0) + 1;
      const failing = { code: result.reasons[0]?.code ?? 'PLUGIN_ERROR', message: result.reasons[0]?.message ?? result.error.message } as Reason;
      const newRelease = target !== draft.convergedReleaseId;
      if (es.mode === 'rollout' && newRelease && (result.error.terminal || es.attempts >= settings.maxAttempts)) {
        const why = result.error.terminal ? failing : { ...failing, message: `${failing.message} (gave up after ${es.attempts} attempts)` };
        startRollback(draft, ctx, target, why);
        const rolling = modeOf(draft) === 'rollback';
        status = rolling ? 'ROLLING_BACK' : 'FAILED';
        reasons = [failing, ...(rolling ? [rollbackReason(ctx, draft)] : [{ code: 'NOTHING_TO_ROLL_BACK_TO' as const, message: `no earlier release converged in ${ctx.channel.name}; create a new release to move on` }])];
        nextCheckAt = now;
      } else {
        status = es.mode === 'rollback' ? 'ROLLING_BACK' : newRelease ? 'CONVERGING' : es.attempts >= settings.maxAttempts ? 'FAILED' : i.status;
        reasons = result.reasons.length ? result.reasons : [failing];
        nextCheckAt = now + Math.min(settings.maxBackoffMs, 1000 * 2 ** Math.min(10, es.attempts - 1));
      }
    } else if (result.converged) {
      es.attempts = 0;
      es.pendingTicks = 0;
      if (draft.convergedReleaseId !== target) {
        draft.convergedReleaseId = target;
        draft.convergedAt = now;
        es.verifiedAt = undefined;
        rememberConverged(draft, target, now);
        const took = es.rolloutStartedAt ? ` after ${((now - es.rolloutStartedAt) / 1000).toFixed(1)}s` : '';
        draft.events.push({ type: 'INSTANCE_CONVERGED', message: `${labelOf(ctx, target)} converged in ${ctx.channel.name}${took}`, data: { releaseId: target } });
      }
      nextCheckAt = now + settings.steadyIntervalMs;
      if (es.mode === 'rollback') {
        status = 'ROLLED_BACK';
        reasons = [rolledBackReason(ctx, draft)];
        if (i.status !== 'ROLLED_BACK') draft.events.push({ type: 'INSTANCE_ROLLED_BACK', message: `${ctx.channel.name} is back on ${labelOf(ctx, target)}` });
      } else {
        status = 'CONVERGED';
        const verification = verify(ctx, draft);
        if (verification) {
          ({ status, reasons } = verification);
          if (verification.nextCheckAt) nextCheckAt = Math.min(nextCheckAt, verification.nextCheckAt);
        }
      }
    } else {
      es.pendingTicks = (es.pendingTicks ?? 0) + 1;
      if (result.applied) {
        const heal = target === draft.convergedReleaseId && i.status === 'CONVERGED';
        const why = result.reasons.filter((r) => r.code !== 'APPLYING').map((r) => r.message).join('; ');
        draft.events.push(
          heal
            ? { type: 'INSTANCE_SELF_HEALED', message: `re-applied ${labelOf(ctx, target)} in ${ctx.channel.name}: ${why || 'it was no longer converged'}` }
            : { type: 'INSTANCE_APPLIED', message: `applied ${labelOf(ctx, target)} in ${ctx.channel.name}${result.applyMessage ? `: ${result.applyMessage}` : ''}` },
        );
      }
      status = es.mode === 'rollback' ? 'ROLLING_BACK' : es.mode === 'halted' ? 'FAILED' : 'CONVERGING';
      reasons = result.reasons.length ? result.reasons : [{ code: 'PROGRESSING', message: 'waiting for the runtime to report progress' }];
      if (es.mode === 'rollback') reasons = [rollbackReason(ctx, draft), ...reasons];
      const backoff = Math.min(5_000, 200 * 1.5 ** Math.min(20, es.pendingTicks - 1));
      nextCheckAt = now + Math.min(settings.maxBackoffMs, result.recheckAfterMs ?? backoff);
    }
    if (es.mode === 'halted' && status !== 'FAILED') {
      status = 'FAILED';
      reasons = [failureReason(ctx, draft), { code: 'NOTHING_TO_ROLL_BACK_TO', message: `no earlier release converged in ${ctx.channel.name}; create a new release to move on` }];
    }
    const desiredFailedHere = !!i.desiredReleaseId && i.desiredReleaseId !== target && es.failure?.releaseId === i.desiredReleaseId && es.mode !== 'rollback';
    if (draft.blocked.length) {
      status = 'FAILED';
      reasons = [...draft.blocked, ...reasons.filter((r) => r.code !== 'PROGRESSING')];
    } else if (desiredFailedHere && status === 'CONVERGED') {
      // Healthy on the previous release, but the one asked for failed here (rejected): say so until a new release.
      status = 'FAILED';
      reasons = [failureReason(ctx, draft)];
    } else if (draft.waiting.length && (status === 'CONVERGED' || status === 'ROLLED_BACK')) {
      // Healthy on the old release, the new one held back by gates: say why it is not deployed.
      status = draft.paused ? 'PAUSED' : 'WAITING';
      reasons = [...draft.waiting, ...reasons];
      nextCheckAt = Math.min(nextCheckAt ?? Infinity, waitCheck(ctx, draft));
    }
    if (draft.paused && !draft.waiting.length) {
      status = 'PAUSED';
      reasons = [{ code: 'PAUSED_BY_USER', message: 'convergence is paused: the engine fetches and reports, but does not apply' }, ...reasons.filter((r) => r.code !== 'APPLYING')];
      nextCheckAt = now + settings.steadyIntervalMs;
    }
  }

  const stamped = stampReasons(reasons, i.reasons, now);
  if (status !== i.status || codes(stamped) !== codes(i.reasons)) {
    draft.events.push({ type: 'INSTANCE_STATUS_CHANGED', message: `${ctx.service.name} in ${ctx.channel.name}: ${status}${stamped.length ? ` — ${stamped.map((r) => r.message).join('; ')}` : ''}`, data: { status, from: i.status, reasons: stamped.map((r) => r.code) } });
  }
  return {
    update: {
      id: i.id,
      expectedVersion: i.version,
      targetReleaseId: draft.targetReleaseId,
      targetState: draft.targetState,
      convergedReleaseId: draft.convergedReleaseId,
      convergedAt: draft.convergedAt,
      status,
      reasons: stamped,
      statusSince: status === i.status ? i.statusSince : now,
      observed: observed ?? null,
      nextCheckAt,
      engineState: es,
    },
    events: draft.events,
  };
}

/** Read through a function: TypeScript's narrowing does not see startRollback change the mode. */
function modeOf(draft: Draft): Draft['es']['mode'] {
  return draft.es.mode;
}

function waitCheck(ctx: InstanceContext, draft: Draft): number {
  const poll = ctx.now + ctx.settings.gatePollMs;
  return draft.recheckAt ? Math.min(poll, Math.max(ctx.now, draft.recheckAt)) : poll;
}

/** Post-deploy verification: httpCheck gates must keep passing for their duration after converging. */
function verify(ctx: InstanceContext, draft: Draft): { status: ConvergenceStatus; reasons: Reason[]; nextCheckAt?: number } | undefined {
  const es = draft.es;
  if (es.verifiedAt || draft.convergedAt === null) return undefined;
  const result = evaluateVerification({ now: ctx.now, convergedAt: draft.convergedAt, gates: ctx.channel.gates, health: ctx.health });
  if (result.state === 'verified') {
    es.verifiedAt = ctx.now;
    if (ctx.channel.gates.some((g) => g.type === 'httpCheck')) {
      draft.events.push({ type: 'VERIFICATION_PASSED', message: `post-deploy checks passed for ${labelOf(ctx, draft.targetReleaseId)} in ${ctx.channel.name}` });
    }
    return undefined;
  }
  if (result.state === 'verifying') {
    return { status: 'CONVERGED', reasons: result.reasons.length ? result.reasons : [{ code: 'VERIFYING', message: 'post-deploy checks are running' }], nextCheckAt: result.recheckAt ? Math.min(result.recheckAt, ctx.now + 1000) : ctx.now + 1000 };
  }
  const failed = draft.targetReleaseId!;
  const why = result.reasons[0] ?? { code: 'CHECK_FAILING' as const, message: 'post-deploy check failed' };
  draft.convergedReleaseId = (draft.es.history ?? []).find((h) => h.releaseId !== failed)?.releaseId ?? null;
  startRollback(draft, ctx, failed, why);
  return { status: draft.es.mode === 'rollback' ? 'ROLLING_BACK' : 'FAILED', reasons: [why, ...(draft.es.mode === 'rollback' ? [rollbackReason(ctx, draft)] : [])], nextCheckAt: ctx.now };
}

function failureReason(ctx: InstanceContext, draft: Draft): Reason {
  const f = draft.es.failure;
  return f ? { code: f.code, message: `${labelOf(ctx, f.releaseId)} failed here: ${f.message}` } : { code: 'APPLY_FAILED', message: 'the release failed here' };
}

function rollbackReason(ctx: InstanceContext, draft: Draft): Reason {
  const f = draft.es.failure;
  return { code: 'ROLLBACK_IN_PROGRESS', message: `rolling back to ${labelOf(ctx, draft.targetReleaseId)}${f ? ` because ${labelOf(ctx, f.releaseId)} failed: ${f.message}` : ''}` };
}

function rolledBackReason(ctx: InstanceContext, draft: Draft): Reason {
  const f = draft.es.failure;
  return {
    code: 'RELEASE_MARKED_BAD',
    message: f
      ? `${labelOf(ctx, f.releaseId)} failed here (${f.message}), was rolled back to ${labelOf(ctx, draft.targetReleaseId)} and marked bad; a new release clears the way`
      : `rolled back to ${labelOf(ctx, draft.targetReleaseId)}`,
  };
}

/** Keeps a reason's `since` while the same code holds, so "waiting since" means what it says. */
function stampReasons(reasons: Reason[], previous: StatusReason[], now: number): StatusReason[] {
  const since = new Map(previous.map((r) => [r.code, r.since]));
  return reasons.map((r) => ({ code: r.code, message: r.message, since: since.get(r.code) ?? new Date(now).toISOString() }));
}

function codes(reasons: { code: string }[]): string {
  return reasons.map((r) => r.code).join(',');
}
