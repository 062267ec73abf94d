/**
 * Does the plugin honour ctx.signal? The engine aborts a call at its timeout and then moves on;
 * a plugin that keeps working after that races the next tick. Each call must settle (resolve or
 * reject, either is fine) within ABORT_GRACE_MS of its signal aborting.
 */
import type { TargetState } from '@driftless/plugin-sdk';
import { errorText, settleWithin, type PluginDriver, type Settled } from './driver.js';

export const ABORT_GRACE_MS = 1_000;
/** How long after the start of a rollout apply the kit aborts it: mid-work for any real backend. */
export const ABORT_AFTER_MS = 50;

function how(outcome: Settled<unknown>): string {
  if (!outcome.settled) return 'still running';
  return outcome.ok ? `returned in ${outcome.ms} ms` : `threw in ${outcome.ms} ms (${errorText(outcome.error).slice(0, 80)})`;
}

function preAborted(): AbortSignal {
  return AbortSignal.abort(new Error('conformance kit: aborted before the call'));
}

export type Verdict = { ok: boolean; detail: string };

export async function fetchHonoursAbort(driver: PluginDriver, target: TargetState): Promise<Verdict> {
  const outcome = await settleWithin(ABORT_GRACE_MS, () => driver.plugin.fetch({ ...driver.context(preAborted()), target }));
  if (!outcome.settled) return { ok: false, detail: `fetch did not settle within ${ABORT_GRACE_MS} ms although its signal was aborted before the call` };
  return { ok: true, detail: `fetch with an aborted signal ${how(outcome)}` };
}

/**
 * Two calls: apply of the converged target with a signal aborted before the call, then apply of a
 * new release aborted ABORT_AFTER_MS after it started (real work for any backend).
 */
export async function applyHonoursAbort(driver: PluginDriver, current: TargetState, next: TargetState): Promise<Verdict> {
  const first = await settleWithin(ABORT_GRACE_MS, () => driver.plugin.apply({ ...driver.context(preAborted()), target: current }));
  if (!first.settled) return { ok: false, detail: `apply did not settle within ${ABORT_GRACE_MS} ms although its signal was aborted before the call` };

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('conformance kit: aborted mid-apply')), ABORT_AFTER_MS);
  let abortedFirst = false;
  const second = await settleWithin(ABORT_AFTER_MS + ABORT_GRACE_MS, async () => {
    try {
      return await driver.plugin.apply({ ...driver.context(controller.signal), target: next });
    } finally {
      abortedFirst = controller.signal.aborted;
    }
  });
  clearTimeout(timer);
  if (!second.settled) {
    return {
      ok: false,
      detail: `apply of ${next.version} was aborted ${ABORT_AFTER_MS} ms after it started and had not settled ${ABORT_GRACE_MS} ms later: pass ctx.signal to every wait and I/O call, or check it between steps`,
    };
  }
  const during = !abortedFirst ? `finished before the abort (${how(second)})` : `settled after its abort (${how(second)})`;
  return { ok: true, detail: `apply with an aborted signal ${how(first)}; apply of ${next.version} ${during}` };
}
