import { evaluateGates, isHealthGate } from './gates/index.js';
import type { Draft, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';
import { clearRunHistory, markBad, rememberConverged, rollbackTargetOf, startRollback } from './rollback.js';

/**
 * Before the tick (pure): handle a user's rollback request, let the gates decide whether the
 * desired release may start here, stop a rollout that health gates or its deadline fail, and say
 * what the tick should do. The rules of the engine live here and in finish.ts; nowhere else.
 *
 * - Releases are immutable; the gates that hold a release are the ones compiled into it for this
 *   channel (its `desiredState`), so a config change can neither skip nor loosen them for a
 *   release already on its way: it makes a new release.
 * - A desired release that compiles to exactly what runs (or rolls out) here takes over at once:
 *   nothing to apply, nothing to wait for (a config change for another channel).
 * - Otherwise it starts when its gates open, and not while a health gate fails on what runs here;
 *   until then the instance keeps (and heals) what it runs and shows WAITING with every reason.
 *   An admin's bypass of a gate for this release here is the only way around it.
 * - A release marked bad here is never started here again; a newer release clears the way.
 * - While a rollout is under way, health gates are re-evaluated every tick; a failing one fails
 *   the release here and rolls back, as does exceeding the release's progress deadline.
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
  handleRollbackRequest(draft, ctx);

  const desired = i.desiredReleaseId;
  const bad = new Set(draft.es.badReleaseIds ?? []);
  if (desired && i.desiredState && desired !== draft.targetReleaseId && !bad.has(desired)) {
    if (runsTheSame(draft, ctx)) takeOver(draft, ctx);
    else gateDesired(draft, ctx);
  }

  const es = draft.es;
  const rollingOut = es.mode !== 'rollback' && es.mode !== 'halted' && !!draft.targetReleaseId && draft.targetReleaseId !== draft.convergedReleaseId;
  if (rollingOut && !draft.paused) checkRolloutHealth(draft, ctx);

  if (draft.targetReleaseId && draft.targetState) {
    draft.tick = { mode: draft.paused || es.mode === 'halted' ? 'observe' : 'converge' };
  }
  return draft;
}

/** rollbackService: acted on once per request; marks the release bad here, not "failed". */
function handleRollbackRequest(draft: Draft, ctx: InstanceContext): void {
  const i = ctx.instance;
  const es = draft.es;
  if (!i.rollbackRequestedAt || i.rollbackRequestedAt <= (es.rollbackHandledAt ?? 0)) return;
  es.rollbackHandledAt = i.rollbackRequestedAt;
  const from = draft.targetReleaseId;
  // The API refuses a rollback with nowhere to go; if the history changed since, do nothing.
  if (!from || !rollbackTargetOf(es, from, draft.targetState?.digest)) return;
  const by = i.rollbackRequestedBy ?? 'someone';
  startRollback(draft, ctx, from, { code: 'ROLLED_BACK_BY_USER', message: `rolled back by ${by}` }, { requestedBy: by });
}

/** The desired release compiles here to exactly what runs or rolls out now. */
function runsTheSame(draft: Draft, ctx: InstanceContext): boolean {
  const mode = draft.es.mode;
  return !!draft.targetReleaseId && draft.targetState?.digest === ctx.instance.desiredState?.digest && mode !== 'rollback' && mode !== 'halted';
}

/** Nothing to apply: the desired release takes over what runs (converged at once when it had converged). */
function takeOver(draft: Draft, ctx: InstanceContext): void {
  const i = ctx.instance;
  const desired = i.desiredReleaseId!;
  const previous = draft.targetReleaseId!;
  const es = draft.es;
  const wasConverged = draft.convergedReleaseId === previous;
  draft.targetReleaseId = desired;
  draft.targetState = i.desiredState;
  es.mode = 'rollout';
  es.failure = undefined;
  if (wasConverged) {
    // It has run this very state since then: soaks and verification downstream count from there.
    draft.convergedReleaseId = desired;
    rememberConverged(draft, desired, draft.convergedAt ?? ctx.now);
    draft.events.push({
      type: 'INSTANCE_CONVERGED',
      message: `${labelOf(ctx, desired)} converged in ${ctx.channel.name} at once: it changes nothing here (runs what ${labelOf(ctx, previous)} ran)`,
      data: { releaseId: desired, unchangedFrom: previous },
    });
  } else {
    draft.events.push({
      type: 'ROLLOUT_STARTED',
      message: `${labelOf(ctx, desired)} takes over the rollout of ${labelOf(ctx, previous)} in ${ctx.channel.name}: it changes nothing here`,
      data: { releaseId: desired, unchangedFrom: previous },
    });
  }
}

/** A desired release that changes what runs here starts when its gates (pinned into it) open. */
function gateDesired(draft: Draft, ctx: InstanceContext): void {
  const i = ctx.instance;
  const es = draft.es;
  const desired = i.desiredReleaseId!;
  const state = i.desiredState!;
  const already = es.satisfied?.releaseId === desired ? es.satisfied.keys : [];
  const verdict = evaluateGates({
    now: ctx.now,
    channel: ctx.channel.name,
    releaseId: desired,
    releaseLabel: labelOf(ctx, desired),
    dependsOn: state.dependsOn,
    upstream: ctx.upstream,
    gates: state.gates,
    approvals: ctx.approvals,
    health: ctx.health,
    rollingOut: false,
    alreadySatisfied: already,
    bypassed: ctx.bypassed,
  });
  if (verdict.decision === 'fail') {
    const fromUpstream = verdict.reasons.every((r) => r.code === 'RELEASE_MARKED_BAD');
    // Failed upstream: never promoted here. Nothing ran here, so nothing is marked or rolled back.
    if (fromUpstream) draft.waiting = verdict.reasons;
    else failBeforeStart(draft, ctx, desired, verdict.reasons);
    return;
  }
  es.satisfied = { releaseId: desired, keys: [...new Set([...already, ...verdict.satisfied])] };
  const holdReason = healthHold(draft, ctx);
  if (verdict.decision === 'wait') {
    draft.waiting = [...(holdReason ? [holdReason] : []), ...verdict.reasons];
    draft.recheckAt = verdict.recheckAt;
  } else if (holdReason) {
    draft.waiting = [holdReason];
  } else if (draft.paused) {
    draft.waiting = [{ code: 'PAUSED_BY_USER', message: `convergence is paused; ${labelOf(ctx, desired)} starts when it is resumed` }];
  } else {
    const replacing = draft.targetReleaseId && draft.targetReleaseId !== draft.convergedReleaseId && es.mode === 'rollout' ? ` (replacing ${labelOf(ctx, draft.targetReleaseId)}, still in flight)` : '';
    const bypassed = ctx.bypassed.length ? `; bypassed by an admin: ${ctx.bypassed.join(', ')}` : '';
    draft.events.push({ type: 'ROLLOUT_STARTED', message: `starting ${labelOf(ctx, desired)} in ${ctx.channel.name}${replacing}${bypassed}`, data: { releaseId: desired } });
    draft.targetReleaseId = desired;
    draft.targetState = state;
    es.mode = 'rollout';
    es.rolloutStartedAt = ctx.now;
    es.attempts = 0;
    es.pendingTicks = 0;
    es.failure = undefined;
    es.runtimeVersion = { version: desired, digest: state.digest };
    clearRunHistory(es);
  }
}

/** A health gate failing on what runs here holds new rollouts here (unless an admin bypassed that gate). */
function healthHold(draft: Draft, ctx: InstanceContext): Reason | undefined {
  const hold = draft.es.hold;
  if (!hold?.gate || ctx.bypassed.includes(hold.gate)) return undefined;
  return {
    code: 'HEALTH_HOLD',
    message: `${labelOf(ctx, ctx.instance.desiredReleaseId)} waits: ${ctx.channel.name} is unhealthy on ${labelOf(ctx, draft.convergedReleaseId)} (${hold.message})`,
  };
}

/** Health gates keep being evaluated during a rollout; a failure, or a blown deadline, rolls back. */
function checkRolloutHealth(draft: Draft, ctx: InstanceContext): void {
  const target = draft.targetReleaseId!;
  const gates = draft.targetState?.gates ?? [];
  const healthGates = gates.filter(isHealthGate).filter((g) => !(ctx.instance.desiredReleaseId === target && ctx.bypassed.includes(g.type)));
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
  const deadlineMs = draft.targetState?.progressDeadlineMs ?? ctx.service.progressDeadlineMs;
  const startedAt = draft.es.rolloutStartedAt ?? ctx.now;
  if (ctx.now - startedAt > deadlineMs) {
    startRollback(draft, ctx, target, { code: 'PROGRESS_DEADLINE_EXCEEDED', message: `${labelOf(ctx, target)} did not converge within its progress deadline (${Math.round(deadlineMs / 1000)}s)` });
  }
}

/** A rejection fails the release here before it ever ran: mark it bad, keep what runs. */
function failBeforeStart(draft: Draft, ctx: InstanceContext, releaseId: string, reasons: Reason[]): void {
  markBad(draft, releaseId);
  draft.es.failure = { releaseId, code: reasons[0]!.code, message: reasons[0]!.message, at: ctx.now };
  draft.blocked = reasons;
  draft.events.push({ type: 'RELEASE_FAILED', message: `${labelOf(ctx, releaseId)} failed in ${ctx.channel.name} before it started: ${reasons.map((r) => r.message).join('; ')}`, data: { releaseId } });
}
