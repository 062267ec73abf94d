/**
 * Drives one instance to a target the way the engine does: fetch, decide (the engine's own pure
 * decision), apply while not converged, come back after the plugin's recheckAfterMs. Plugins may
 * work one bounded step per apply, so this loops until converged or out of time.
 */
import type { ObservedState, TargetState } from '@driftless/plugin-sdk';
import { decide } from '../../worker/decide.js';
import type { PluginDriver } from './driver.js';
import { describeState } from './states.js';

export type Convergence =
  | { ok: true; state: ObservedState; applies: number; ms: number }
  | { ok: false; detail: string };

const DEFAULT_RECHECK_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function convergeTo(driver: PluginDriver, target: TargetState, timeoutMs: number, label: string): Promise<Convergence> {
  const began = Date.now();
  let applies = 0;
  let last = 'no fetch yet';
  for (;;) {
    const state = await driver.fetch(`converging on ${target.version}`, target);
    const decision = decide(state, target);
    if (decision.converged) return { ok: true, state, applies, ms: Date.now() - began };
    last = `${decision.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')} (fetch: ${describeState(state)})`;
    if (Date.now() - began > timeoutMs) {
      return { ok: false, detail: `${label}: not converged on ${target.version} after ${timeoutMs} ms and ${applies} applies: ${last}` };
    }
    const result = await driver.apply(`towards ${target.version}`, target);
    applies++;
    const recheck = result && typeof result.recheckAfterMs === 'number' ? result.recheckAfterMs : DEFAULT_RECHECK_MS;
    await sleep(Math.min(Math.max(recheck, 20), 1_000));
  }
}
