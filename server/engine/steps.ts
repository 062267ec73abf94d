import type { RolloutStep } from '@driftless/plugin-sdk';
import type { CompiledStep } from '../compiler/types.js';
import { gateKey, type HealthSnapshot } from './gates/index.js';
import { formatUtc } from './gates/format.js';
import type { Draft, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';
import { startRollback } from './rollback.js';

/**
 * Progressive rollouts (pure): a release that replaces one running here takes the channel in the
 * steps compiled into it (rollout.steps), not all at once. The engine keeps where it is in
 * EngineState.step and asks the plugin for `step.replicas` replicas of the new release at each
 * replicas step; once the plugin reports the step reached, a pause waits its time and analysis
 * must keep passing for its duration, then the next step starts. A failing analysis fails the
 * release here (rolled back, marked bad); `promote` skips the rest of the current step; `abort` is
 * a rollback request. The last step runs every replica: from there on it is an ordinary rollout
 * (stabilization, verification). A first deploy (nothing ran here) and rollbacks skip the steps:
 * there is nothing to protect, or getting back fast is the point.
 */

export interface StepAt {
  /** 0-based. */
  index: number;
  count: number;
  step: CompiledStep;
  /** Replicas of the new release at this step (a pause keeps the count of the step before it). */
  replicas: number;
  percent?: number;
  final: boolean;
  startedAt: number;
  reachedAt?: number;
}

/** The step the target release is at here, if it is rolling out in steps. */
export function currentStep(draft: Pick<Draft, 'es' | 'targetReleaseId' | 'targetState'>): StepAt | undefined {
  const es = draft.es;
  const steps = draft.targetState?.rollout?.steps;
  if (!steps?.length || !es.step || es.step.releaseId !== draft.targetReleaseId || es.mode !== 'rollout') return undefined;
  const index = Math.min(es.step.index, steps.length - 1);
  const step = steps[index]!;
  let replicas = 0;
  let percent: number | undefined;
  for (let i = index; i >= 0; i--) {
    const s = steps[i]!;
    if (s.kind === 'replicas') {
      replicas = s.replicas;
      percent = s.percent;
      break;
    }
  }
  return { index, count: steps.length, step, replicas, ...(percent !== undefined ? { percent } : {}), final: index === steps.length - 1, startedAt: es.step.startedAt, ...(es.step.reachedAt !== undefined ? { reachedAt: es.step.reachedAt } : {}) };
}

/** What the plugin is told (TargetState.step); nothing at the last step, which runs every replica. */
export function targetStep(draft: Pick<Draft, 'es' | 'targetReleaseId' | 'targetState'>): RolloutStep | undefined {
  const at = currentStep(draft);
  if (!at || at.final) return undefined;
  return { index: at.index, count: at.count, replicas: at.replicas, ...(at.percent !== undefined ? { percent: at.percent } : {}) };
}

/** A rollout starts: in steps when the release has them here and something ran here before. */
export function startSteps(draft: Draft, ctx: InstanceContext, releaseId: string): void {
  const steps = draft.targetState?.rollout?.steps;
  draft.es.step = steps?.length && draft.convergedReleaseId ? { releaseId, index: 0, startedAt: ctx.now } : undefined;
}

/**
 * Before the tick: act on a promote request, and move on from a step that was reached once its
 * pause or analysis is done (or fail the release when its analysis fails).
 */
export function driveSteps(draft: Draft, ctx: InstanceContext): void {
  const at = currentStep(draft);
  if (!at) return;
  const es = draft.es;
  const i = ctx.instance;
  if (i.promoteRequestedAt && i.promoteRequestedAt > (es.promoteHandledAt ?? 0)) {
    es.promoteHandledAt = i.promoteRequestedAt;
    if (!at.final) {
      advance(draft, ctx, at, `${i.promoteRequestedBy ?? 'someone'} promoted it`);
      return;
    }
  }
  if (at.final || at.reachedAt === undefined) return;
  const phase = stepPhase(at, ctx.now, ctx.health);
  if (phase.state === 'failed') {
    const why: Reason = { code: 'ANALYSIS_FAILED', message: `analysis failed at ${describeStep(at)}: ${phase.message}` };
    startRollback(draft, ctx, draft.targetReleaseId!, why);
    return;
  }
  if (phase.state === 'done') advance(draft, ctx, at, phase.message);
}

function advance(draft: Draft, ctx: InstanceContext, at: StepAt, why: string): void {
  const es = draft.es;
  es.step = { releaseId: draft.targetReleaseId!, index: at.index + 1, startedAt: ctx.now };
  const next = currentStep(draft)!;
  draft.events.push({
    type: 'ROLLOUT_STEP_STARTED',
    message: `${labelOf(ctx, draft.targetReleaseId)} in ${ctx.channel.name}: ${describeStep(next)} (${describeStep(at)} done: ${why})`,
    data: { releaseId: draft.targetReleaseId, step: next.index + 1, of: next.count, replicas: next.replicas },
  });
}

/**
 * After a tick that found the step reached (and it is not the last): remember when, and say what
 * the step waits for now. `nextCheckAt` is when to look again (the pause or analysis ends).
 */
export function stepReached(draft: Draft, ctx: InstanceContext, at: StepAt): { reasons: Reason[]; nextCheckAt: number } {
  const es = draft.es;
  if (es.step && es.step.reachedAt === undefined) {
    es.step.reachedAt = ctx.now;
    at.reachedAt = ctx.now;
    draft.events.push({
      type: 'ROLLOUT_STEP_REACHED',
      message: `${labelOf(ctx, draft.targetReleaseId)} in ${ctx.channel.name} reached ${describeStep(at)}`,
      data: { releaseId: draft.targetReleaseId, step: at.index + 1, of: at.count, replicas: at.replicas },
    });
  }
  const phase = stepPhase(at, ctx.now, ctx.health);
  const left = phase.endsAt !== undefined ? Math.max(0, phase.endsAt - ctx.now) : 0;
  // Health flips and promote requests wake the instance at once; the poll only keeps "left" current.
  return { reasons: [{ code: 'ROLLOUT_STEP', message: stepMessage(ctx, draft, at, phase) }], nextCheckAt: ctx.now + Math.max(50, Math.min(ctx.settings.gatePollMs, left)) };
}

/** While the step's replicas are still being brought up: the step, first among the reasons. */
export function stepInProgress(ctx: InstanceContext, draft: Draft, at: StepAt): Reason {
  return { code: 'ROLLOUT_STEP', message: `${labelOf(ctx, draft.targetReleaseId)}, ${describeStep(at)}, rolling out` };
}

type Phase = { state: 'waiting' | 'analysing'; endsAt: number; message: string } | { state: 'done'; endsAt?: number; message: string } | { state: 'failed'; endsAt?: number; message: string };

/** Where a reached step stands: a pause or analysis under way, done, or an analysis failed. */
function stepPhase(at: StepAt, now: number, health: HealthSnapshot): Phase {
  const reachedAt = at.reachedAt ?? now;
  const step = at.step;
  if (step.kind === 'pause') {
    const endsAt = reachedAt + step.durationMs;
    return now >= endsAt ? { state: 'done', message: `paused for ${clock(step.durationMs)}` } : { state: 'waiting', endsAt, message: 'paused' };
  }
  if (!step.analysis.length) return { state: 'done', message: 'its replicas are up' };
  const endsAt = reachedAt + step.analysisMs;
  let allSeen = true;
  for (const gate of step.analysis) {
    const result = health[gateKey(gate)];
    const what = gate.type === 'httpCheck' ? `GET ${gate.url}` : gate.type === 'alerts' ? `alerts at ${gate.alertmanager}` : gate.type;
    // Any failing probe sent since the step was reached fails it: a check that flapped is not trusted.
    if (result?.lastFailedAt !== undefined && result.lastFailedAt >= reachedAt) {
      return { state: 'failed', message: `${what}: ${result.ok ? 'failed' : result.message} at ${formatUtc(result.lastFailedAt, now)}` };
    }
    if (!result || result.checkedAt < reachedAt) allSeen = false;
  }
  if (now >= endsAt && allSeen) return { state: 'done', message: `analysis passed for ${clock(step.analysisMs)}` };
  return { state: 'analysing', endsAt: Math.max(endsAt, now), message: allSeen ? 'analysing' : 'analysing (waiting for the first checks)' };
}

/** "step 2 of 4: 50 % (2 replicas)", "step 3 of 4: pause". */
export function describeStep(at: Pick<StepAt, 'index' | 'count' | 'step' | 'replicas' | 'percent'>): string {
  const head = `step ${at.index + 1} of ${at.count}`;
  if (at.step.kind === 'pause') return `${head}: pause`;
  const replicas = `${at.replicas} replica${at.replicas === 1 ? '' : 's'}`;
  return at.percent !== undefined ? `${head}: ${at.percent} % (${replicas})` : `${head}: ${replicas}`;
}

function stepMessage(ctx: InstanceContext, draft: Draft, at: StepAt, phase: Phase): string {
  const of = `${labelOf(ctx, draft.targetReleaseId)}, ${describeStep(at)}`;
  if (phase.state === 'done' || phase.state === 'failed') return `${of}, ${phase.message}`;
  const left = `${clock(phase.endsAt - ctx.now)} left`;
  const onReplicas = at.step.kind === 'pause' && at.replicas > 0 ? ` on ${at.replicas} replica${at.replicas === 1 ? '' : 's'}` : '';
  return `${of}, ${phase.message}${onReplicas}, ${left} (driftless promote skips the rest, driftless abort rolls back)`;
}

/** "1m 20s", "45s", "2h 5m": to the second below an hour, since a step ticks every second anyway. */
function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s / 60}m`;
  const m = Math.floor((s % 3600) / 60);
  return m ? `${Math.floor(s / 3600)}h ${m}m` : `${Math.floor(s / 3600)}h`;
}
