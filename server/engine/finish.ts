import type { TickResult } from '../../worker/types.js';
import type { ConvergenceStatus, StatusReason } from '../domain/status.js';
import { crashLoopOf, trackCrashes } from './crash-loop.js';
import { evaluateVerification, ongoingHealth } from './gates/index.js';
import { formatUtc } from './gates/format.js';
import type { Draft, DraftEvent, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';
import { rememberConverged, startRollback } from './rollback.js';
import { currentStep, stepInProgress, stepReached } from './steps.js';
import type { InstanceUpdate } from './types.js';

export interface Outcome {
  update: InstanceUpdate;
  events: DraftEvent[];
}

interface Verdict {
  status: ConvergenceStatus;
  reasons: Reason[];
  nextCheckAt: number | null;
}

/**
 * After the tick (pure): fold the tick's result into the instance's status, reasons, schedule and
 * engine state. Without a tick (nothing to run yet) the draft alone decides.
 *
 * Converged means stable: the runtime's "converged" only counts once the release stayed healthy
 * for its stabilization window. A release that keeps going down (or that the runtime keeps
 * restarting) soon after it rolled out is a crash loop: FAILED, rolled back, marked bad. Later, a
 * crash loop or a failing health gate shows as DEGRADED and holds what follows (see plan.ts).
 * Events describe changes, never ticks: a status that holds writes nothing.
 */
export function finish(ctx: InstanceContext, draft: Draft, result?: TickResult): Outcome {
  const i = ctx.instance;
  const verdict = !draft.targetReleaseId || !result ? withoutTick(ctx, draft) : withTick(ctx, draft, result);
  let { status, reasons, nextCheckAt } = verdict;
  if (draft.targetReleaseId && result) ({ status, reasons, nextCheckAt } = overlay(ctx, draft, { status, reasons, nextCheckAt }));

  const stamped = stampReasons(reasons, i.reasons, ctx.now);
  if (status !== i.status || codes(stamped) !== codes(i.reasons)) {
    draft.events.push({ type: 'INSTANCE_STATUS_CHANGED', message: `${ctx.service.name} in ${ctx.channel.name}: ${status}${stamped.length ? ` — ${stamped.map((r) => r.message).join('; ')}` : ''}`, data: { status, from: i.status, reasons: stamped.map((r) => r.code), fromReasons: i.reasons.map((r) => r.code) } });
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
      statusSince: status === i.status ? i.statusSince : ctx.now,
      observed: (result?.observed ?? i.observed) ?? null,
      nextCheckAt,
      engineState: draft.es,
    },
    events: draft.events,
  };
}

/** Nothing runs here yet (or nothing to tick): the status says what we wait for. */
function withoutTick(ctx: InstanceContext, draft: Draft): Verdict {
  const i = ctx.instance;
  const es = draft.es;
  if (draft.blocked.length) return { status: 'FAILED', reasons: draft.blocked, nextCheckAt: null };
  if (draft.waiting.length) return { status: draft.paused ? 'PAUSED' : 'WAITING', reasons: draft.waiting, nextCheckAt: waitCheck(ctx, draft) };
  if (!i.desiredReleaseId) return { status: 'PENDING', reasons: [{ code: 'NO_RELEASE', message: `no release of ${ctx.service.name} has been created yet` }], nextCheckAt: null };
  // The desired release failed here before anything ran (rejected): nothing to do until a new release.
  if (es.failure && es.failure.releaseId === i.desiredReleaseId) return { status: 'FAILED', reasons: [failureReason(ctx, draft)], nextCheckAt: null };
  return { status: 'PENDING', reasons: [{ code: 'NOT_YET_CHECKED', message: `${labelOf(ctx, i.desiredReleaseId)} is queued here; the engine looks at it next` }], nextCheckAt: ctx.now + ctx.settings.gatePollMs };
}

function withTick(ctx: InstanceContext, draft: Draft, result: TickResult): Verdict {
  const es = draft.es;
  if (result.error) return onError(ctx, draft, result);
  if (result.beforeApply) {
    // Applied and confirmed in one tick: first the look before the apply, as its own tick would
    // have counted it (a heal cycle, the restarts it reported), then the confirmation.
    trackCrashes(ctx, draft, { ...result, converged: false, observed: result.beforeApply.observed, reasons: result.beforeApply.reasons });
  }
  trackCrashes(ctx, draft, result);
  const loop = crashLoopOf(ctx, draft);
  const target = draft.targetReleaseId!;
  // Still rolling out in steps counts as fresh however long its pauses took.
  const freshRollout = es.mode === 'rollout' && (currentStep(draft) !== undefined || ctx.now - (es.rolloutStartedAt ?? 0) <= ctx.settings.crashLoopWindowMs);
  // A pinned instance is never moved by automation, not even back: it shows the loop instead.
  if (loop && freshRollout && !ctx.instance.pin) {
    const why: Reason = { code: 'CRASH_LOOP', message: loop.message };
    draft.events.push({ type: 'CRASH_LOOP_DETECTED', message: loop.message, data: { releaseId: target, restarts: loop.count } });
    if (draft.convergedReleaseId === target) draft.convergedReleaseId = (es.history ?? []).find((h) => h.releaseId !== target)?.releaseId ?? null;
    startRollback(draft, ctx, target, why);
    const rolling = modeOf(draft) === 'rollback';
    return { status: rolling ? 'ROLLING_BACK' : 'FAILED', reasons: [why, rolling ? rollbackReason(ctx, draft) : nothingToRollBackTo(ctx)], nextCheckAt: ctx.now };
  }
  if (result.converged && result.applied) recordApply(ctx, draft, result, result.beforeApply?.reasons ?? []);
  const verdict = result.converged ? onConverged(ctx, draft) : onProgress(ctx, draft, result);
  holdForCrashLoop(ctx, draft, loop);
  return verdict;
}

function onError(ctx: InstanceContext, draft: Draft, result: TickResult): Verdict {
  const { now, settings } = ctx;
  const es = draft.es;
  const target = draft.targetReleaseId!;
  es.attempts = (es.attempts ?? 0) + 1;
  const failing = { code: result.reasons[0]?.code ?? 'PLUGIN_ERROR', message: result.reasons[0]?.message ?? result.error!.message } as Reason;
  const newRelease = target !== draft.convergedReleaseId;
  if (es.mode === 'rollout' && newRelease && !ctx.instance.pin && (result.error!.terminal || es.attempts >= settings.maxAttempts)) {
    const why = result.error!.terminal ? failing : { ...failing, message: `${failing.message} (gave up after ${es.attempts} attempts)` };
    startRollback(draft, ctx, target, why);
    const rolling = modeOf(draft) === 'rollback';
    return { status: rolling ? 'ROLLING_BACK' : 'FAILED', reasons: [failing, rolling ? rollbackReason(ctx, draft) : nothingToRollBackTo(ctx)], nextCheckAt: now };
  }
  const status: ConvergenceStatus = es.mode === 'rollback' ? 'ROLLING_BACK' : newRelease ? 'CONVERGING' : es.attempts >= settings.maxAttempts ? 'FAILED' : ctx.instance.status;
  return { status, reasons: result.reasons.length ? result.reasons : [failing], nextCheckAt: now + Math.min(settings.maxBackoffMs, 1000 * 2 ** Math.min(10, es.attempts - 1)) };
}

/** The runtime reports the target converged: stabilize first, then converged (or rolled back). */
function onConverged(ctx: InstanceContext, draft: Draft): Verdict {
  const { now, settings } = ctx;
  const es = draft.es;
  const target = draft.targetReleaseId!;
  es.attempts = 0;
  es.pendingTicks = 0;
  const steady = now + settings.steadyIntervalMs;
  if (es.mode === 'rollback') {
    // Back on a release that was stable here before: no stabilization window (the event is written once).
    if (draft.convergedReleaseId !== target) convergeOn(ctx, draft, target);
    es.mode = 'rolled-back';
    draft.events.push({ type: 'INSTANCE_ROLLED_BACK', message: `${ctx.channel.name} is back on ${labelOf(ctx, target)}`, data: { releaseId: target } });
    return { status: 'ROLLED_BACK', reasons: [rolledBackReason(ctx, draft)], nextCheckAt: steady };
  }
  const at = currentStep(draft);
  if (at && !at.final) {
    const reached = stepReached(draft, ctx, at);
    return { status: 'CONVERGING', reasons: reached.reasons, nextCheckAt: reached.nextCheckAt };
  }
  if (draft.convergedReleaseId !== target) {
    const windowMs = draft.targetState?.stabilizationMs ?? settings.stabilizationMs;
    es.stableSince ??= now;
    const left = es.stableSince + windowMs - now;
    if (left > 0) {
      const reason: Reason = { code: 'STABILIZING', message: `${labelOf(ctx, target)} is up; it must stay healthy for ${seconds(windowMs)} before it counts as converged (${seconds(left)} left)` };
      return { status: 'CONVERGING', reasons: [reason], nextCheckAt: now + Math.min(1_000, left) };
    }
    convergeOn(ctx, draft, target);
    const took = es.rolloutStartedAt ? ` after ${((now - es.rolloutStartedAt) / 1000).toFixed(1)}s` : '';
    draft.events.push({ type: 'INSTANCE_CONVERGED', message: `${labelOf(ctx, target)} converged in ${ctx.channel.name}${took}${windowMs ? ` (stable for ${seconds(windowMs)})` : ''}`, data: { releaseId: target } });
  }
  if (es.mode === 'rolled-back') return { status: 'ROLLED_BACK', reasons: [rolledBackReason(ctx, draft)], nextCheckAt: steady };
  const verification = verify(ctx, draft);
  if (verification) return { ...verification, nextCheckAt: Math.min(steady, verification.nextCheckAt ?? steady) };
  watchHealth(ctx, draft);
  return { status: 'CONVERGED', reasons: [], nextCheckAt: steady };
}

function convergeOn(ctx: InstanceContext, draft: Draft, target: string): void {
  draft.convergedReleaseId = target;
  draft.convergedAt = ctx.now;
  draft.es.verifiedAt = undefined;
  draft.es.stableSince = undefined;
  draft.es.step = undefined;
  rememberConverged(draft, target, ctx.now);
}

/** Not converged (yet): a rollout progressing, a heal, or a rollback under way. */
function onProgress(ctx: InstanceContext, draft: Draft, result: TickResult): Verdict {
  const { now, settings } = ctx;
  const es = draft.es;
  es.pendingTicks = (es.pendingTicks ?? 0) + 1;
  if (result.applied) recordApply(ctx, draft, result, result.reasons);
  const status: ConvergenceStatus = es.mode === 'rollback' ? 'ROLLING_BACK' : es.mode === 'halted' ? 'FAILED' : 'CONVERGING';
  let reasons: Reason[] = result.reasons.length ? result.reasons : [{ code: 'PROGRESSING', message: 'waiting for the runtime to report progress' }];
  if (es.mode === 'rollback') reasons = [rollbackReason(ctx, draft), ...reasons];
  const at = currentStep(draft);
  if (at) reasons = [stepInProgress(ctx, draft, at), ...reasons];
  const backoff = Math.min(5_000, 200 * 1.5 ** Math.min(20, es.pendingTicks - 1));
  return { status, reasons, nextCheckAt: now + Math.min(settings.maxBackoffMs, result.recheckAfterMs ?? backoff) };
}

/** The event of an apply: a heal of what had converged here, or a step of the rollout. `seen`: why it was applied. */
function recordApply(ctx: InstanceContext, draft: Draft, result: TickResult, seen: Reason[]): void {
  const target = draft.targetReleaseId!;
  const heal = target === draft.convergedReleaseId && ['CONVERGED', 'DEGRADED', 'WAITING'].includes(ctx.instance.status);
  const why = seen.filter((r) => r.code !== 'APPLYING').map((r) => r.message).join('; ');
  draft.events.push(
    heal
      ? { type: 'INSTANCE_SELF_HEALED', message: `re-applied ${labelOf(ctx, target)} in ${ctx.channel.name}: ${why || 'it was no longer converged'}` }
      : { type: 'INSTANCE_APPLIED', message: `applied ${labelOf(ctx, target)} in ${ctx.channel.name}${result.applyMessage ? `: ${result.applyMessage}` : ''}` },
  );
}

/**
 * Long after a release converged, a crash loop no longer rolls it back (what it would roll back to
 * is older than what people have been running); it shows, and holds promotion from here.
 */
function holdForCrashLoop(ctx: InstanceContext, draft: Draft, loop: ReturnType<typeof crashLoopOf>): void {
  const es = draft.es;
  const onTarget = draft.convergedReleaseId === draft.targetReleaseId && es.mode === 'rollout';
  if (loop && onTarget) {
    if (es.hold?.code !== 'CRASH_LOOP') {
      es.hold = { code: 'CRASH_LOOP', message: loop.message, since: ctx.now };
      draft.events.push({ type: 'CRASH_LOOP_DETECTED', message: `${loop.message}; promotion from ${ctx.channel.name} waits until it is stable`, data: { releaseId: draft.targetReleaseId, restarts: loop.count } });
    } else es.hold.message = loop.message;
  } else if (es.hold?.code === 'CRASH_LOOP' && !loop) {
    es.hold = undefined;
    draft.events.push({ type: 'HEALTH_RECOVERED', message: `${labelOf(ctx, draft.targetReleaseId)} stopped crashing in ${ctx.channel.name}` });
  }
}

/** After verification, health gates keep being watched: a failure shows and holds, until it passes. */
function watchHealth(ctx: InstanceContext, draft: Draft): void {
  const es = draft.es;
  if (es.hold?.code === 'CRASH_LOOP') return;
  const problem = ongoingHealth(draft.targetState?.gates ?? [], ctx.health);
  if (problem) {
    if (es.hold?.code !== problem.code) {
      draft.events.push({ type: 'HEALTH_DEGRADED', message: `${labelOf(ctx, draft.targetReleaseId)} in ${ctx.channel.name} is unhealthy: ${problem.message}; new rollouts here and promotion from here wait`, data: { code: problem.code } });
    }
    es.hold = { code: problem.code, message: problem.message, since: problem.since, gate: problem.gate };
  } else if (es.hold) {
    es.hold = undefined;
    draft.events.push({ type: 'HEALTH_RECOVERED', message: `${labelOf(ctx, draft.targetReleaseId)} in ${ctx.channel.name} is healthy again` });
  }
}

/** What holds on top of the tick's verdict: halts, rejections, holds, waits and pauses. */
function overlay(ctx: InstanceContext, draft: Draft, v: Verdict): Verdict {
  const i = ctx.instance;
  const es = draft.es;
  let { status, reasons, nextCheckAt } = v;
  if (es.mode === 'halted' && status !== 'FAILED') {
    status = 'FAILED';
    reasons = [failureReason(ctx, draft), nothingToRollBackTo(ctx)];
  }
  const target = draft.targetReleaseId;
  const desiredFailedHere = !!i.desiredReleaseId && i.desiredReleaseId !== target && es.failure?.releaseId === i.desiredReleaseId && es.mode !== 'rollback';
  const healthy = status === 'CONVERGED' || status === 'ROLLED_BACK';
  if (es.hold && healthy && es.mode === 'rollout') {
    status = 'DEGRADED';
    reasons = [{ code: es.hold.code, message: `${es.hold.message} (since ${formatUtc(es.hold.since, ctx.now)})`, since: es.hold.since }];
    nextCheckAt = Math.min(nextCheckAt ?? Infinity, ctx.now + ctx.settings.gatePollMs);
  } else if (es.hold?.code === 'CRASH_LOOP' && status === 'CONVERGING' && es.mode === 'rollout') {
    // Healing again: still the crash loop that people must look at, not an ordinary rollout.
    status = 'DEGRADED';
    reasons = [{ code: 'CRASH_LOOP', message: es.hold.message, since: es.hold.since }, ...reasons];
  }
  if (draft.blocked.length) {
    status = 'FAILED';
    reasons = [...draft.blocked, ...reasons.filter((r) => r.code !== 'PROGRESSING')];
  } else if (desiredFailedHere && (status === 'CONVERGED' || status === 'DEGRADED')) {
    // Healthy on the previous release, but the one asked for failed here (rejected): say so until a new release.
    status = 'FAILED';
    reasons = [failureReason(ctx, draft), ...reasons];
  } else if (draft.waiting.length && (healthy || status === 'DEGRADED')) {
    // On the old release, the new one held back: say why it is not deployed.
    status = status === 'DEGRADED' ? 'DEGRADED' : draft.paused ? 'PAUSED' : 'WAITING';
    reasons = [...draft.waiting, ...reasons];
    nextCheckAt = Math.min(nextCheckAt ?? Infinity, waitCheck(ctx, draft));
  }
  if (draft.paused && !draft.waiting.length) {
    status = 'PAUSED';
    reasons = [{ code: 'PAUSED_BY_USER', message: 'convergence is paused: the engine fetches and reports, but does not apply' }, ...reasons.filter((r) => r.code !== 'APPLYING')];
    nextCheckAt = ctx.now + ctx.settings.steadyIntervalMs;
  }
  return { status, reasons, nextCheckAt };
}

/** Read through a function: TypeScript's narrowing does not see startRollback change the mode. */
function modeOf(draft: Draft): Draft['es']['mode'] {
  return draft.es.mode;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 || ms >= 10_000 ? `${Math.ceil(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}

function waitCheck(ctx: InstanceContext, draft: Draft): number {
  const poll = ctx.now + ctx.settings.gatePollMs;
  return draft.recheckAt ? Math.min(poll, Math.max(ctx.now, draft.recheckAt)) : poll;
}

/** Post-deploy verification: httpCheck gates must keep passing for their duration after converging. */
function verify(ctx: InstanceContext, draft: Draft): { status: ConvergenceStatus; reasons: Reason[]; nextCheckAt?: number } | undefined {
  const es = draft.es;
  if (es.verifiedAt || draft.convergedAt === null) return undefined;
  const gates = draft.targetState?.gates ?? [];
  const result = evaluateVerification({ now: ctx.now, convergedAt: draft.convergedAt, gates, health: ctx.health });
  if (result.state === 'verified') {
    es.verifiedAt = ctx.now;
    if (gates.some((g) => g.type === 'httpCheck')) {
      draft.events.push({ type: 'VERIFICATION_PASSED', message: `post-deploy checks passed for ${labelOf(ctx, draft.targetReleaseId)} in ${ctx.channel.name}` });
    }
    return undefined;
  }
  if (result.state === 'verifying') {
    return { status: 'CONVERGED', reasons: result.reasons.length ? result.reasons : [{ code: 'VERIFYING', message: 'post-deploy checks are running' }], nextCheckAt: result.recheckAt ? Math.min(result.recheckAt, ctx.now + 1000) : ctx.now + 1000 };
  }
  const failed = draft.targetReleaseId!;
  const why = result.reasons[0] ?? { code: 'CHECK_FAILING' as const, message: 'post-deploy check failed' };
  if (ctx.instance.pin) return { status: 'FAILED', reasons: [why, { code: 'PINNED', message: `not rolled back: pinned at ${labelOf(ctx, ctx.instance.pin.releaseId)} by ${ctx.instance.pin.by}` }] };
  draft.convergedReleaseId = (es.history ?? []).find((h) => h.releaseId !== failed)?.releaseId ?? null;
  startRollback(draft, ctx, failed, why);
  return { status: es.mode === 'rollback' ? 'ROLLING_BACK' : 'FAILED', reasons: [why, ...(es.mode === 'rollback' ? [rollbackReason(ctx, draft)] : [])], nextCheckAt: ctx.now };
}

function nothingToRollBackTo(ctx: InstanceContext): Reason {
  return { code: 'NOTHING_TO_ROLL_BACK_TO', message: `no earlier release converged in ${ctx.channel.name}; create a new release to move on` };
}

function failureReason(ctx: InstanceContext, draft: Draft): Reason {
  const f = draft.es.failure;
  return f ? { code: f.code, message: `${labelOf(ctx, f.releaseId)} failed here: ${f.message}` } : { code: 'APPLY_FAILED', message: 'the release failed here' };
}

function rollbackReason(ctx: InstanceContext, draft: Draft): Reason {
  const f = draft.es.failure;
  const target = labelOf(ctx, draft.targetReleaseId);
  if (f?.code === 'ROLLED_BACK_BY_USER') return { code: 'ROLLBACK_IN_PROGRESS', message: `rolling back to ${target}: ${labelOf(ctx, f.releaseId)} was ${f.message}` };
  return { code: 'ROLLBACK_IN_PROGRESS', message: `rolling back to ${target}${f ? ` because ${labelOf(ctx, f.releaseId)} failed: ${f.message}` : ''}` };
}

function rolledBackReason(ctx: InstanceContext, draft: Draft): Reason {
  const f = draft.es.failure;
  const on = labelOf(ctx, draft.targetReleaseId);
  if (!f) return { code: 'RELEASE_MARKED_BAD', message: `rolled back to ${on}` };
  if (f.code === 'ROLLED_BACK_BY_USER') {
    return { code: 'ROLLED_BACK_BY_USER', message: `back on ${on}: ${labelOf(ctx, f.releaseId)} was ${f.message} and is marked bad here; a new release clears the way` };
  }
  return { code: 'RELEASE_MARKED_BAD', message: `${labelOf(ctx, f.releaseId)} failed here (${f.message}), was rolled back to ${on} and marked bad; a new release clears the way` };
}

/** Keeps a reason's `since` while the same code holds, so "waiting since" means what it says. */
function stampReasons(reasons: Reason[], previous: StatusReason[], now: number): StatusReason[] {
  const since = new Map(previous.map((r) => [r.code, r.since]));
  return reasons.map((r) => ({ code: r.code, message: r.message, since: since.get(r.code) ?? new Date(r.since ?? now).toISOString() }));
}

function codes(reasons: { code: string }[]): string {
  return reasons.map((r) => r.code).join(',');
}
