/**
 * Progressive rollouts (pure): `rollout.steps` as written → compiled steps for one channel, with
 * percentages turned into replica counts of the rendered spec. The last step always runs every
 * replica (one is added when the written steps stop short and the spec says how many replicas it
 * runs), so a rollout always ends complete.
 */
import type { PathSegment } from './diagnostics.js';
import { DURATION_HELP, parseDuration } from './durations.js';
import { compileGate } from './gates.js';
import type { CompiledGate, CompiledStep, JsonObject, RolloutDoc } from './types.js';

export interface StepProblem {
  path: PathSegment[];
  text: string;
}

/** Analysis without an httpCheck duration runs this long. */
export const DEFAULT_ANALYSIS_MS = 30_000;

export function compileSteps(rollout: RolloutDoc, spec: JsonObject, problems: StepProblem[]): CompiledStep[] {
  const total = typeof spec.replicas === 'number' && Number.isInteger(spec.replicas) ? spec.replicas : undefined;
  const steps: CompiledStep[] = [];
  rollout.steps.forEach((step, i) => {
    const kinds = (['replicas', 'percent', 'pause'] as const).filter((k) => k in step);
    if (kinds.length !== 1) {
      problems.push({ path: ['steps', i], text: kinds.length ? `a step has one of replicas, percent or pause, not ${kinds.join(' and ')}` : 'a step needs one of replicas, percent or pause' });
      return;
    }
    if ('pause' in step) {
      const ms = parseDuration(step.pause);
      if (ms === undefined) problems.push({ path: ['steps', i, 'pause'], text: `invalid duration "${step.pause}": ${DURATION_HELP}` });
      else steps.push({ kind: 'pause', durationMs: ms });
      return;
    }
    let replicas: number | undefined;
    let percent: number | undefined;
    if ('percent' in step) {
      percent = step.percent;
      if (total === undefined) {
        problems.push({ path: ['steps', i, 'percent'], text: 'a percent step needs a whole number of replicas in the spec (spec.replicas)' });
        return;
      }
      replicas = Math.max(1, Math.ceil((total * step.percent) / 100));
    } else replicas = step.replicas;
    if (total !== undefined && replicas > total) {
      problems.push({ path: ['steps', i, 'replicas'], text: `step of ${replicas} replicas is more than the ${total} the spec runs` });
      return;
    }
    const analysis: CompiledGate[] = [];
    (step.analysis ?? []).forEach((gate, g) => {
      const compiled = compileGate(gate);
      if (!compiled.ok) for (const p of compiled.problems) problems.push({ path: ['steps', i, 'analysis', g, ...p.path], text: p.text });
      else if (compiled.gate.type !== 'alerts' && compiled.gate.type !== 'httpCheck') problems.push({ path: ['steps', i, 'analysis', g], text: 'analysis takes health checks only: alerts or httpCheck' });
      else analysis.push(compiled.gate);
    });
    let analysisMs = Math.max(0, ...analysis.map((g) => (g.type === 'httpCheck' ? g.durationMs : 0)));
    if (step.duration !== undefined) {
      const ms = parseDuration(step.duration);
      if (ms === undefined) problems.push({ path: ['steps', i, 'duration'], text: `invalid duration "${step.duration}": ${DURATION_HELP}` });
      else analysisMs = ms;
    } else if (analysis.length && analysisMs === 0) analysisMs = DEFAULT_ANALYSIS_MS;
    steps.push({ kind: 'replicas', replicas, ...(percent !== undefined ? { percent } : {}), analysis, analysisMs });
  });
  // Without spec.replicas (an ssh fleet, say) the compiler cannot add the final all-replicas step,
  // so the last written step is the final one: a pause there would never be waited.
  if (total === undefined && steps.length && steps[steps.length - 1]!.kind === 'pause') {
    problems.push({ path: ['steps', rollout.steps.length - 1], text: 'the last step runs every replica, so it cannot be a pause: end with a replicas step for all of them (the spec has no replicas to add it from)' });
  }
  const last = [...steps].reverse().find((s): s is Extract<CompiledStep, { kind: 'replicas' }> => s.kind === 'replicas');
  if (total !== undefined && (!last || last.replicas < total || steps[steps.length - 1]!.kind === 'pause')) steps.push({ kind: 'replicas', replicas: total, percent: 100, analysis: [], analysisMs: 0 });
  return steps;
}
