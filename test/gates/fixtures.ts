/** Shared builders for the gate tests: one base input, overridden per table row. */
import type { GateInput, HealthResult } from '../../server/engine/gates/index.js';

export const MIN = 60_000;
/** Wed 2026-11-25 14:22 UTC (15:22 in Berlin). */
export const NOW = Date.UTC(2026, 10, 25, 14, 22);

export function input(overrides: Partial<GateInput> = {}): GateInput {
  return {
    now: NOW,
    channel: 'production',
    releaseId: 'r2',
    releaseLabel: 'v2',
    dependsOn: [],
    upstream: [],
    gates: [],
    approvals: { approvers: [] },
    health: {},
    rollingOut: false,
    ...overrides,
  };
}

export function health(ok: boolean, message: string, extra: Partial<HealthResult> = {}): HealthResult {
  return { ok, message, since: NOW - MIN, checkedAt: NOW - 1000, ...extra };
}

/** Resolves when `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
