import { evaluateGates, isHealthGate } from './gates/index.js';
import type { Draft, InstanceContext } from './draft.js';
import { labelOf } from './draft.js';
import { markBad, startRollback } from './rollback.js';

/**
 * Before the tick (pure): handle a user's rollback request, let the gates decide whether the
 * desired release may start here, stop a rollout that health gates or its deadline fail, and say
 * what the tick should do. The rules of the engine live here and in finish.ts; nowhere else.
 *
 * - A desired release that differs from the target starts when its gates open; until then the
 *   instance keeps (and heals) what it runs and shows WAITING with every reason.
 * - A release marked bad here is never started here again; a newer release clears the way.
 * - While a rollout is under way, health gates are re-evaluated every tick; a failing one fails
 *   the release here and rolls back, as does exceeding the service's progressDeadline.
 * - Paused (instance, channel or application): fetch and report, never apply.
 */
export function plan(ctx: InstanceContext): Draft {
  const i = ctx.instance;
  const draft: Draft = {
    es: structuredClone(i.engineState),
    targetReleaseId: i.targetReleaseId,
    targetState: i.targetState,
    convergedReleaseId: i.convergedReleaseId,
    convergedAt: i.convergedAt,
    events: [],
    waiting: [],
    blocked: [],
    paused: i.paused || ctx.channel.paused || ctx.applicationPaused,
  };
  const es = draft.es;

  if (i.rollbackRequestedAt && i.rollbackRequestedAt > (es.rollbackHandledAt ?? 0)) {
    es.rollbackHandledAt = i.rollbackRequestedAt;
    if (draft.targetReleaseId) {
      startRollback(draft, ctx, draft.targetReleaseId, { code: 'RELEASE_MARKED_BAD', message: 'rolled back on request (rollbackService)' });
    }
  }

  const desired = i.desiredReleaseId;
  const bad = new Set(es.badReleaseIds ?? []);
  if (desired && i.desiredState && desired !== draft.targetReleaseId && !bad.has(desired)) {
    const already = es.satisfied?.releaseId === desired ? es.satisfied.keys : [];
    const verdict = evaluateGates({
      now: ctx.now,
      channel: ctx.channel.name,
      releaseId: desired,
      releaseLabel: labelOf(ctx, desired),
      dependsOn: ctx.channel.dependsOn,
      upstream: ctx.upstream,
      gates: ctx.channel.gates,
      approvals: ctx.approvals,
      health: ctx.health,
      rollingOut: false,
      alreadySatisfied: already,
    });
    if (verdict.decision === 'fail') {
      const fromUpstream = verdict.reasons.every((r) => r.code === 'RELEASE_MARKED_BAD');
      if (fromUpstream) {
        // Failed upstream: never promoted here. Nothing ran here, so nothing is marked or rolled back.
        draft.waiting = verdict.reasons;
      } else {
        startRollbackOrBlock(draft, ctx, desired, verdict.reasons);
      }
    } else {
      es.satisfied = { releaseId: desired, keys: [...new Set([...already, ...verdict.satisfied])] };
      if (verdict.decision === 'wait') {
        draft.waiting = verdict.reasons;
        draft.recheckAt = verdict.recheckAt;
      } else if (draft.paused) {
        draft.waiting = [{ code: 'PAUSED_BY_USER', message: `convergence is paused; ${labelOf(ctx, desired)} starts when it is resumed` }];
      } else {
        const replacing = draft.targetReleaseId && draft.targetReleaseId !== draft.convergedReleaseId ? ` (replacing ${labelOf(ctx, draft.targetReleaseId)}, still in flight)` : '';
        draft.events.push({ type: 'ROLLOUT_STARTED', message: `starting ${labelOf(ctx, desired)} in ${ctx.channel.name}${replacing}`, data: { releaseId: desired } });
        draft.targetReleaseId = desired;
        draft.targetState = i.desiredState;
        es.mode = 'rollout';
        es.rolloutStartedAt = ctx.now;
        es.attempts = 0;
        es.pendingTicks = 0;
        es.failure = undefined;
      }
    }
  } else if (desired && i.desiredState && desired === draft.targetReleaseId && i.desiredState.digest !== draft.targetState?.digest && es.mode === 'rollout') {
    // The same release re-rendered by a config change (e.g. more replicas): converge on the new spec.
    draft.targetState = i.desiredState;
  }

  const rollingOut = es.mode === 'rollout' && !!draft.targetReleaseId && draft.targetReleaseId !== draft.convergedReleaseId;
  if (rollingOut && !draft.paused) checkRolloutHealth(draft, ctx);

  if (draft.targetReleaseId && draft.targetState) {
    draft.tick = { mode: draft.paused || es.mode === 'halted' ? 'observe' : 'converge' };
  }
  return draft;
}

/** Health gates keep being evaluated during a rollout; a failure, or a blown deadline, rolls back. */
function checkRolloutHealth(draft: Draft, ctx: InstanceContext): void {
  const target = draft.targetReleaseId!;
  const healthGates = ctx.channel.gates.filter(isHealthGate);
  if (healthGates.length) {
    const verdict = evaluateGates({
      now: ctx.now,
      channel: ctx.channel.name,
      releaseId: target,
      releaseLabel: labelOf(ctx, target),
      dependsOn: [],
      upstream: [],
      gates: healthGates,
      approvals: { approvers: [] },
      health: ctx.health,
      rollingOut: true,
    });
    if (verdict.decision === 'fail') {
      startRollback(draft, ctx, target, verdict.reasons[0]!);
      return;
    }
  }
  const startedAt = draft.es.rolloutStartedAt ?? ctx.now;
  if (ctx.now - startedAt > ctx.service.progressDeadlineMs) {
    const minutes = Math.round(ctx.service.progressDeadlineMs / 1000);
    startRollback(draft, ctx, target, { code: 'PROGRESS_DEADLINE_EXCEEDED', message: `${labelOf(ctx, target)} did not converge within its progress deadline (${minutes}s)` });
  }
}

/** A rejection fails the release here before it ever ran: mark it bad, keep what runs. */
function startRollbackOrBlock(draft: Draft, ctx: InstanceContext, releaseId: string, reasons: { code: Draft['waiting'][number]['code']; message: string }[]): void {
  markBad(draft, releaseId);
  draft.es.failure = { releaseId, code: reasons[0]!.code, message: reasons[0]!.message, at: ctx.now };
  draft.blocked = reasons;
  draft.events.push({ type: 'RELEASE_FAILED', message: `${labelOf(ctx, releaseId)} failed in ${ctx.channel.name} before it started: ${reasons.map((r) => r.message).join('; ')}`, data: { releaseId } });
}
