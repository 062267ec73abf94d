/**
 * "Runs rollout steps": a plugin that declares `capabilities.rolloutSteps` gets TargetState.step
 * from the engine during a progressive rollout and must run only `step.replicas` replicas of the
 * new release, the others staying on the release before; the last step comes without `step` and
 * must converge fully. From the instance on the fixture's second release (N replicas available),
 * the kit sends a third release at "step 1 of 2" with floor(N / 2) replicas, applies until the
 * engine's decision says the step is reached, applies twice more, and counts replicas per version;
 * then it sends the same release without `step`.
 */
import type { ObservedState, TargetState } from '@driftless/plugin-sdk';
import { convergeTo } from './converge.js';
import type { PluginDriver } from './driver.js';
import { describeState } from './states.js';

export type StepsVerdict = { status: 'passed' | 'failed' | 'skipped'; detail: string };

/** Replicas of `version` across objects, and how many of them are available. */
function countOf(state: ObservedState, version: string): { replicas: number; available: number } {
  let replicas = 0;
  let available = 0;
  for (const o of state.objects) {
    for (const v of o.versions) {
      if (v.version !== version) continue;
      replicas += v.replicas;
      available += v.availableReplicas;
    }
  }
  return { replicas, available };
}

const plural = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `before`: the release the instance converged on (the kit's second release); `release`: what
 * the stepped release runs (the fixture's first spec, under a new version).
 */
export async function checkRolloutSteps(driver: PluginDriver, before: TargetState, release: TargetState, timeoutMs: number): Promise<StepsVerdict> {
  if (!driver.plugin.capabilities?.rolloutSteps) {
    return { status: 'skipped', detail: 'the plugin does not declare capabilities.rolloutSteps (the server refuses rollout.steps on its runtimes)' };
  }
  try {
    const start = await driver.fetch(`on ${before.version}, before a stepped rollout`, before);
    const total = countOf(start, before.version).available;
    if (total === 0) return { status: 'failed', detail: `cannot start: fetch shows no available replica of ${before.version} (fetch: ${describeState(start)})` };
    const k = Math.floor(total / 2);
    const base = { ...release, releaseId: 'conformance-3', version: 'conformance-3' };
    const stepped: TargetState = { ...base, step: { index: 0, count: 2, replicas: k } };
    const asked = `step 1 of 2 asked for ${plural(k)} of ${total} on ${stepped.version}`;

    const run = await convergeTo(driver, stepped, timeoutMs, `at ${asked}`);
    if (!run.ok) return { status: 'failed', detail: run.detail };
    // Waiting at a step (a pause, analysis) must not creep on: apply is idempotent there too.
    await driver.apply(`${asked}, again`, stepped);
    await driver.apply(`${asked}, a third time`, stepped);
    const at = await driver.fetch(`at step 1 of 2`, stepped);
    const fresh = countOf(at, stepped.version);
    const old = countOf(at, before.version);
    if (fresh.replicas !== k || old.available !== total - k) {
      return {
        status: 'failed',
        detail:
          `the plugin declares capabilities.rolloutSteps but does not honour TargetState.step: ${asked} and ${plural(total - k)} left on ${before.version}, ` +
          `but fetch reports ${plural(fresh.replicas)} on ${stepped.version} and ${plural(old.available)} of ${before.version} available (fetch: ${describeState(at)}); ` +
          'run only step.replicas replicas of the target and leave the others as they are, or drop the capability',
      };
    }

    const last = await convergeTo(driver, base, timeoutMs, `at the last step (no step: every replica) after ${asked}`);
    if (!last.ok) return { status: 'failed', detail: last.detail };
    const done = countOf(last.state, base.version);
    if (done.available !== total) {
      return { status: 'failed', detail: `the last step (sent without step) converged with ${plural(done.available)} of ${base.version} available, ${total} ran before (fetch: ${describeState(last.state)})` };
    }
    return {
      status: 'passed',
      detail: `${asked}: it ran ${plural(fresh.replicas)} next to ${plural(old.available)} of ${before.version} (${describeState(at)}); the last step, without step, converged on ${plural(total)}`,
    };
  } catch (error) {
    return { status: 'failed', detail: message(error) };
  }
}
