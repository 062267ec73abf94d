import type { CompiledChannelState } from '../compiler/types.js';
import { evaluateGates, gateKey, isHealthGate, type GateDetail } from './gates/index.js';
import type { Draft, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';
import { nextRelease, protectsSoak, supersede, type Next } from './next-release.js';
import { failedMember, groupFailedReason, groupHold } from './group-gates.js';
import { clearRunHistory, markBad, rememberConverged, rollbackTargetOf, startRollback } from './rollback.js';
import { currentStep, describeStep, driveSteps, startSteps } from './steps.js';
import type { GateState } from './types.js';

/**
 * Before the tick (pure): handle a user's rollback request, pick the release this channel takes
 * next (its release policy, see next-release.ts), let the gates decide whether it may start here,
 * stop a rollout that health gates or its deadline fail, and say what the tick should do. The rules
 * of the engine live here and in finish.ts; nowhere else.
 *
 * - Releases are immutable; the gates that hold a release are the ones compiled into it for this
 *   channel, so a config change can neither skip nor loosen them for a release already on its
 *   way: it makes a new release.
 * - A next release that compiles to exactly what runs (or rolls out) here takes over at once:
 *   nothing to apply, nothing to wait for (a config change for another channel).
 * - Otherwise it starts when its gates open, and not while a health gate fails on what runs here,
 *   while a channel downstream soaks what runs here (soak protection), or while the instance is
 *   pinned; until then the instance keeps (and heals) what it runs and shows WAITING with every
 *   reason. An admin's bypass of a gate for this release here is the only way around a gate.
 * - A release marked bad here is never started here again; a newer release clears the way.
 * - While a rollout is under way, health gates are re-evaluated every tick; a failing one fails
 *   the release here and rolls back, as does exceeding the release's progress deadline. A pinned
 *   instance is never moved by automation, not even back.
 * - Paused (instance, channel or application): fetch and report, never apply.
 */
export interface PlanOptions {
  /** No rollout slot is free for this instance (a concurrency limit): nothing starts; this says why. */
  noSlot?: Reason;
}

export function plan(ctx: InstanceContext, opts: PlanOptions = {}): Draft {
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
  // Without a slot, moves wait (a rollback request stays pending and is acted on once one is free).
  if (!opts.noSlot) handleRollbackRequest(draft, ctx);
  if (i.pin && !opts.noSlot) holdAtPin(draft, ctx);

  if (failWithGroup(draft, ctx)) return withTick(draft);

  const next = nextRelease(draft, ctx);
  if (next && next.id !== draft.targetReleaseId) {
    // A pinned instance keeps even its label: what runs there stays the pinned release.
    if (runsTheSame(draft, next) && !i.pin) takeOver(draft, ctx, next);
    else gateNext(draft, ctx, next, opts.noSlot);
  } else if (opts.noSlot && i.rollbackRequestedAt && i.rollbackRequestedAt > (draft.es.rollbackHandledAt ?? 0)) {
    draft.waiting = [opts.noSlot];
  }

  const es = draft.es;
  const rollingOut = es.mode !== 'rollback' && es.mode !== 'halted' && !!draft.targetReleaseId && draft.targetReleaseId !== draft.convergedReleaseId;
  if (rollingOut && !draft.paused && !i.pin) checkRolloutHealth(draft, ctx);
  if (rollingOut && !draft.paused && !i.pin && draft.es.mode === 'rollout') driveSteps(draft, ctx);

  return withTick(draft);
}

/** What the tick does: converge on the target, or only look (paused, halted). */
function withTick(draft: Draft): Draft {
  if (draft.targetReleaseId && draft.targetState) {
    draft.tick = { mode: draft.paused || draft.es.mode === 'halted' ? 'observe' : 'converge' };
  }
  return draft;
}

/**
 * A multi-service release fails here as a whole: when another member failed here, this member is
 * rolled back here (if it runs or rolls out) or marked bad before it starts. Returns whether it acted.
 */
function failWithGroup(draft: Draft, ctx: InstanceContext): boolean {
  const es = draft.es;
  const bad = new Set(es.badReleaseIds ?? []);
  for (const id of [draft.targetReleaseId, es.candidate?.releaseId, ctx.instance.desiredReleaseId]) {
    if (!id || bad.has(id)) continue;
    const groupId = ctx.releases.get(id)?.groupId;
    const group = groupId ? ctx.groups.get(groupId) : undefined;
    const failed = group && failedMember(group, id);
    if (!group || !failed) continue;
    const why = groupFailedReason(ctx, group, failed);
    if (id === draft.targetReleaseId && es.mode !== 'rollback' && es.mode !== 'halted') {
      if (draft.convergedReleaseId === id) draft.convergedReleaseId = (es.history ?? []).find((h) => h.releaseId !== id)?.releaseId ?? null;
      startRollback(draft, ctx, id, why);
    } else if (id !== draft.targetReleaseId) {
      failBeforeStart(draft, ctx, id, [why]);
    }
    return true;
  }
  return false;
}

/** rollbackService: acted on once per request; marks the release bad here, not "failed". */
function handleRollbackRequest(draft: Draft, ctx: InstanceContext): void {
  const i = ctx.instance;
  const es = draft.es;
  if (!i.rollbackRequestedAt || i.rollbackRequestedAt <= (es.rollbackHandledAt ?? 0)) return;
  es.rollbackHandledAt = i.rollbackRequestedAt;
  const from = draft.targetReleaseId;
  const to = i.rollbackRequestedTo ? chosenTarget(ctx, i.rollbackRequestedTo) : undefined;
  // The API refuses a rollback with nowhere to go; if the history changed since, do nothing.
  if (!from || (!to && !rollbackTargetOf(es, from, draft.targetState?.digest))) return;
  const by = i.rollbackRequestedBy ?? 'someone';
  const at = currentStep(draft);
  const aborted = at && !at.final ? ` (rollout aborted at ${describeStep(at)})` : '';
  startRollback(draft, ctx, from, { code: 'ROLLED_BACK_BY_USER', message: `rolled back by ${by}${aborted}` }, { requestedBy: by, ...(to ? { to } : {}) });
}

/** A release chosen by `rollback --to`: from the history here when it ran here, else as compiled for this channel. */
function chosenTarget(ctx: InstanceContext, releaseId: string): { releaseId: string; state: CompiledChannelState; version?: string } | undefined {
  const ran = (ctx.instance.engineState.history ?? []).find((h) => h.releaseId === releaseId);
  if (ran) return { releaseId, state: ran.state, ...(ran.version ? { version: ran.version } : {}) };
  const state = ctx.releases.get(releaseId)?.states[ctx.channel.name];
  return state ? { releaseId, state } : undefined;
}

/** Pinned: steer to the pinned release if something else is targeted (automation never moves it on). */
function holdAtPin(draft: Draft, ctx: InstanceContext): void {
  const pin = ctx.instance.pin!;
  if (draft.targetReleaseId === pin.releaseId || draft.es.mode === 'rollback') return;
  const back = chosenTarget(ctx, pin.releaseId);
  if (!back) return;
  draft.targetReleaseId = pin.releaseId;
  draft.targetState = back.state;
  draft.es.mode = 'rollout';
  draft.es.rolloutStartedAt = ctx.now;
  draft.es.runtimeVersion = { version: back.version ?? pin.releaseId, digest: back.state.digest };
  clearRunHistory(draft.es);
  draft.events.push({ type: 'ROLLOUT_STARTED', message: `going back to ${labelOf(ctx, pin.releaseId)} in ${ctx.channel.name}: ${pin.by} pinned it there`, data: { releaseId: pin.releaseId } });
}

/** The next release compiles here to exactly what runs or rolls out now. */
function runsTheSame(draft: Draft, next: Next): boolean {
  const mode = draft.es.mode;
  return !!draft.targetReleaseId && draft.targetState?.digest === next.state.digest && mode !== 'rollback' && mode !== 'halted';
}

/** Nothing to apply: the next release takes over what runs (converged at once when it had converged). */
function takeOver(draft: Draft, ctx: InstanceContext, next: Next): void {
  const previous = draft.targetReleaseId!;
  const es = draft.es;
  const wasConverged = draft.convergedReleaseId === previous;
  draft.targetReleaseId = next.id;
  draft.targetState = next.state;
  es.mode = 'rollout';
  es.failure = undefined;
  // Mid-steps, the release that takes over carries on from the same step.
  if (es.step?.releaseId === previous) es.step.releaseId = next.id;
  if (wasConverged) {
    // It has run this very state since then: soaks and verification downstream count from there.
    draft.convergedReleaseId = next.id;
    rememberConverged(draft, next.id, draft.convergedAt ?? ctx.now);
    draft.events.push({
      type: 'INSTANCE_CONVERGED',
      message: `${labelOf(ctx, next.id)} converged in ${ctx.channel.name} at once: it changes nothing here (runs what ${labelOf(ctx, previous)} ran)`,
      data: { releaseId: next.id, unchangedFrom: previous },
    });
  } else {
    draft.events.push({
      type: 'ROLLOUT_STARTED',
      message: `${labelOf(ctx, next.id)} takes over the rollout of ${labelOf(ctx, previous)} in ${ctx.channel.name}: it changes nothing here`,
      data: { releaseId: next.id, unchangedFrom: previous },
    });
  }
}

/** A next release that changes what runs here starts when its gates (pinned into it) open. */
function gateNext(draft: Draft, ctx: InstanceContext, next: Next, noSlot?: Reason): void {
  const es = draft.es;
  const already = es.satisfied?.releaseId === next.id ? es.satisfied.keys : [];
  const bypassed = ctx.bypassed.get(next.id) ?? [];
  const details: GateDetail[] = [];
  const verdict = evaluateGates(
    {
      now: ctx.now,
      channel: ctx.channel.name,
      releaseId: next.id,
      releaseLabel: labelOf(ctx, next.id),
      dependsOn: next.state.dependsOn,
      upstream: ctx.upstream,
      gates: next.state.gates,
      approvals: ctx.approvals.get(next.id) ?? { approvers: [] },
      health: ctx.health,
      rollingOut: false,
      alreadySatisfied: already,
      bypassed,
    },
    details,
  );
  es.gates = gateStates(next.state, details, bypassed);
  if (verdict.decision === 'fail') {
    const fromUpstream = verdict.reasons.every((r) => r.code === 'RELEASE_MARKED_BAD');
    // Failed upstream: never promoted here. Nothing ran here, so nothing is marked or rolled back.
    if (fromUpstream) draft.waiting = verdict.reasons;
    else failBeforeStart(draft, ctx, next.id, verdict.reasons);
    return;
  }
  es.satisfied = { releaseId: next.id, keys: [...new Set([...already, ...verdict.satisfied])] };
  const groupId = ctx.releases.get(next.id)?.groupId;
  const group = groupId ? ctx.groups.get(groupId) : undefined;
  // Its own gates are open: the rest of its group may count on it (see group-gates.ts).
  if (group) es.groupReady = verdict.decision === 'open' ? next.id : undefined;
  const holds = [healthHold(draft, ctx, bypassed), pinHold(ctx, next), soakProtection(draft, ctx, next), verdict.decision === 'open' && group ? groupHold(ctx, group, next.id) : undefined].filter((r): r is Reason => !!r);
  if (verdict.decision === 'wait' || holds.length) {
    draft.waiting = [...holds, ...(verdict.decision === 'wait' ? verdict.reasons : []), ...(next.waiting ?? [])];
    if (verdict.decision === 'wait') draft.recheckAt = verdict.recheckAt;
  } else if (draft.paused) {
    draft.waiting = [{ code: 'PAUSED_BY_USER', message: `convergence is paused; ${labelOf(ctx, next.id)} starts when it is resumed` }];
  } else if (noSlot) {
    draft.waiting = [noSlot];
  } else {
    const inFlight = draft.targetReleaseId && draft.targetReleaseId !== draft.convergedReleaseId && es.mode === 'rollout' ? draft.targetReleaseId : undefined;
    const replacing = inFlight ? ` (replacing ${labelOf(ctx, inFlight)}, still in flight)` : '';
    if (inFlight) supersede(draft, ctx, inFlight, next.id, 'it was replaced while it rolled out here');
    const skipped = bypassed.length ? `; bypassed by an admin: ${bypassed.join(', ')}` : '';
    draft.events.push({ type: 'ROLLOUT_STARTED', message: `starting ${labelOf(ctx, next.id)} in ${ctx.channel.name}${replacing}${skipped}`, data: { releaseId: next.id } });
    draft.targetReleaseId = next.id;
    draft.targetState = next.state;
    es.mode = 'rollout';
    es.rolloutStartedAt = ctx.now;
    es.attempts = 0;
    es.pendingTicks = 0;
    es.failure = undefined;
    es.runtimeVersion = { version: next.id, digest: next.state.digest };
    if (es.candidate) es.candidate = { releaseId: next.id };
    clearRunHistory(es);
    startSteps(draft, ctx, next.id);
    draft.startsRollout = true;
  }
}

/** Every gate of the release here, as people read it: open, waiting (why), failing, bypassed. */
function gateStates(state: CompiledChannelState, details: GateDetail[], bypassed: string[]): GateState[] {
  const said = new Map(details.map((d) => [d.key, d]));
  const gates = [...(state.dependsOn.length ? [{ key: 'dependsOn', type: 'dependsOn' }] : []), ...state.gates.map((g) => ({ key: gateKey(g), type: g.type }))];
  return gates.map(({ key, type }) => {
    if (bypassed.includes(type)) return { key, type, state: 'bypassed' as const };
    const d = said.get(key);
    return { key, type, state: d?.state ?? 'open', ...(d?.message ? { message: d.message } : {}) };
  });
}

/** A health gate failing on what runs here holds new rollouts here (unless an admin bypassed that gate). */
function healthHold(draft: Draft, ctx: InstanceContext, bypassed: string[]): Reason | undefined {
  const hold = draft.es.hold;
  if (!hold?.gate || bypassed.includes(hold.gate)) return undefined;
  return { code: 'HEALTH_HOLD', message: `${labelOf(ctx, draft.es.candidate?.releaseId ?? ctx.instance.desiredReleaseId)} waits: ${ctx.channel.name} is unhealthy on ${labelOf(ctx, draft.convergedReleaseId)} (${hold.message})` };
}

/** Pinned: nothing newer starts here until someone unpins it. */
function pinHold(ctx: InstanceContext, next: Next): Reason | undefined {
  const pin = ctx.instance.pin;
  if (!pin) return undefined;
  return { code: 'PINNED', message: `${labelOf(ctx, next.id)} waits: ${ctx.service.name} is pinned in ${ctx.channel.name} at ${labelOf(ctx, pin.releaseId)} by ${pin.by}: ${pin.reason}` };
}

/**
 * Soak protection: while a channel downstream is still to take what runs here (it is its next
 * release there, and it soaks behind this channel with protection), this channel keeps it; a newer
 * release waits here instead of cutting that soak short, which would starve the downstream channel
 * under a steady stream of releases. Released once the downstream channel took it (or it failed
 * there, or was superseded there); a paused or pinned downstream channel holds nothing.
 */
function soakProtection(draft: Draft, ctx: InstanceContext, next: Next): Reason | undefined {
  const running = draft.convergedReleaseId;
  if (!running || running === next.id) return undefined;
  const info = ctx.releases.get(running);
  const holder = ctx.downstream.find((d) => {
    if (d.idle || d.convergedReleaseId === running || d.targetReleaseId === running || d.never.includes(running)) return false;
    // Newer than what runs there, and not failed or superseded there: it is the downstream
    // channel's next release from here, whether or not its tick has recorded it as its candidate
    // yet (a release created meanwhile already is its desired one).
    const wants = (info?.number ?? 0) > (ctx.releases.get(d.convergedReleaseId ?? '')?.number ?? 0) || running === d.desiredReleaseId || running === d.candidateId;
    return wants && protectsSoak(info?.states[d.channel], ctx.channel.name);
  });
  if (!holder) return undefined;
  const soak = info?.states[holder.channel]?.gates.find((g) => g.type === 'soak');
  const left = soak && soak.type === 'soak' && draft.convergedAt ? draft.convergedAt + soak.durationMs - ctx.now : 0;
  const when = left > 0 ? ` (its soak has ${Math.ceil(left / 1000)}s left)` : '';
  return {
    code: 'SOAK_PROTECTED',
    message: `${labelOf(ctx, next.id)} waits: ${holder.channel} is still to take ${labelOf(ctx, running)} from here${when}; ${ctx.channel.name} keeps it until then`,
  };
}

/** Health gates keep being evaluated during a rollout; a failure, or a blown deadline, rolls back. */
function checkRolloutHealth(draft: Draft, ctx: InstanceContext): void {
  const target = draft.targetReleaseId!;
  const gates = draft.targetState?.gates ?? [];
  const bypassed = ctx.bypassed.get(target) ?? [];
  const healthGates = gates.filter(isHealthGate).filter((g) => !bypassed.includes(g.type));
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
  // In steps, the deadline counts for each step's rollout, not for its pause or analysis.
  const step = currentStep(draft);
  if (step?.reachedAt !== undefined && !step.final) return;
  const startedAt = step?.startedAt ?? draft.es.rolloutStartedAt ?? ctx.now;
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
