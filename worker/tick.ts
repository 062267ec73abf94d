/**
 * One convergence tick for one Service Instance: fetch → decide → (maybe) apply.
 *
 * Semantics (the scheduler relies on them):
 * - Never throws and never hangs longer than fetchMs + applyMs: every failure of the plugin
 *   (throw, hang, garbage) becomes a TickResult with `error` and a reason.
 * - 'observe' mode (paused) fetches and reports; it never applies.
 * - An apply happens only when the decision says 'apply' and there is a target.
 * - When the apply reports what runs afterwards (ApplyResult.observed) and that is the target, the
 *   tick is converged at once (`beforeApply` keeps what the fetch saw); otherwise a later tick's
 *   fetch confirms it.
 * - `runtimeConfig` goes to the plugin and nowhere else: not into results, messages or logs.
 */
import { isTerminalError, type ObservedState, type RuntimePlugin, type TargetState } from '@driftless/plugin-sdk';
import { callWithTimeout } from './call-with-timeout.js';
import { createCollectingLogger } from './collecting-logger.js';
import { decide } from './decide.js';
import { cleanObservedState, observedStateProblem } from './observed-shape.js';
import type { TickError, TickHook, TickInput, TickReason, TickResult } from './types.js';
import { resolveSecretRefs } from '../server/secrets/resolve-refs.js';
import { cachedScrubber, scrubDeep } from '../server/secrets/scrub.js';

const MAX_MESSAGE = 500;

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : safeJson(error);
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A result for a tick that failed in `hook`; exported so the worker reports load failures alike. */
export function failedTick(
  input: Pick<TickInput, 'instanceId' | 'plugin'>,
  startedAt: number,
  code: TickReason['code'],
  error: Omit<TickError, 'plugin'>,
  extra: Partial<TickResult> = {},
): TickResult {
  return {
    instanceId: input.instanceId,
    converged: false,
    applied: false,
    ...extra,
    reasons: [{ code, message: error.message }, ...(extra.reasons ?? [])],
    error: { plugin: input.plugin, ...error },
    startedAt,
    durationMs: Date.now() - startedAt,
  };
}

function hookFailure(input: TickInput, hook: Exclude<TickHook, 'load'>, outcome: { timedOut: boolean; error?: unknown }) {
  const ms = hook === 'fetch' ? input.timeouts.fetchMs : input.timeouts.applyMs;
  if (outcome.timedOut) {
    return {
      code: 'PLUGIN_TIMEOUT' as const,
      error: { hook, message: `plugin "${input.plugin}" ${hook} timed out after ${ms} ms`, terminal: false, timedOut: true },
    };
  }
  return {
    code: hook === 'fetch' ? ('FETCH_FAILED' as const) : ('APPLY_FAILED' as const),
    error: {
      hook,
      message: `plugin "${input.plugin}" ${hook}: ${errorText(outcome.error)}`,
      terminal: isTerminalError(outcome.error),
      timedOut: false,
    },
  };
}

/**
 * Wraps the synchronous part of each plugin hook call. The worker uses it to record which call
 * holds the thread, so a busy loop or a runaway allocation can be pinned on a plugin and hook.
 */
export type HookGuard = <T>(hook: 'fetch' | 'apply', call: () => T) => T;

const unguarded: HookGuard = (_hook, call) => call();

/**
 * Secret references in the runtime config are resolved here, at call time, and every secret
 * value of the config (in the encodings scrub.ts knows) is scrubbed from what the tick returns:
 * its reasons, messages, observed state and the plugin's log lines.
 */
export async function runTick(input: TickInput, plugin: RuntimePlugin, guard: HookGuard = unguarded): Promise<TickResult> {
  const startedAt = Date.now();
  let resolved;
  try {
    resolved = resolveSecretRefs(input.runtimeConfig, plugin.configSchema);
  } catch (error) {
    return failedTick(input, startedAt, 'FETCH_FAILED', { hook: 'fetch', message: `plugin "${input.plugin}": ${errorText(error)}`, terminal: false, timedOut: false });
  }
  const result = await runResolvedTick({ ...input, runtimeConfig: resolved.config }, plugin, guard, startedAt);
  return resolved.secrets.length ? scrubDeep(result, cachedScrubber(resolved.secrets)) : result;
}

async function runResolvedTick(input: TickInput, plugin: RuntimePlugin, guard: HookGuard, startedAt: number): Promise<TickResult> {
  const logger = createCollectingLogger();
  const hookMs: { fetch?: number; apply?: number } = {};
  const withLogs = (result: TickResult): TickResult => {
    const logs = logger.lines();
    return logs ? { ...result, hookMs, logs } : { ...result, hookMs };
  };
  const base = { config: input.runtimeConfig, instance: input.identity, logger, ...(input.dataDir ? { dataDir: input.dataDir } : {}) };

  const fetchStarted = Date.now();
  const fetched = await callWithTimeout(input.timeouts.fetchMs, (signal) =>
    guard('fetch', () => plugin.fetch({ ...base, signal, ...(input.target ? { target: input.target } : {}) })),
  );
  hookMs.fetch = Date.now() - fetchStarted;
  if (!fetched.ok) {
    const { code, error } = hookFailure(input, 'fetch', fetched);
    return withLogs(failedTick(input, startedAt, code, error));
  }
  const problem = observedStateProblem(fetched.value);
  if (problem) {
    const message = `plugin "${input.plugin}" fetch returned malformed state: ${problem}`;
    return withLogs(failedTick(input, startedAt, 'PLUGIN_ERROR', { hook: 'fetch', message, terminal: false, timedOut: false }));
  }
  const observed: ObservedState = cleanObservedState(fetched.value);
  const labels = input.labels ?? {};
  const decision = decide(observed, input.target, (version) => labels[version] ?? version);
  const result: TickResult = {
    instanceId: input.instanceId,
    observed,
    converged: decision.converged,
    applied: false,
    reasons: decision.reasons,
    unhealthy: decision.unhealthy,
    startedAt,
    durationMs: 0,
  };
  const target = input.target;
  if (input.mode !== 'converge' || decision.action !== 'apply' || target === undefined) {
    return withLogs({ ...result, durationMs: Date.now() - startedAt });
  }

  const applyStarted = Date.now();
  const applied = await callWithTimeout(input.timeouts.applyMs, (signal) => guard('apply', () => plugin.apply({ ...base, signal, target })));
  hookMs.apply = Date.now() - applyStarted;
  if (!applied.ok) {
    const { code, error } = hookFailure(input, 'apply', applied);
    return withLogs(failedTick(input, startedAt, code, error, { observed, reasons: decision.reasons, unhealthy: decision.unhealthy }));
  }
  const value = applied.value;
  const applyMessage = value && typeof value.message === 'string' ? value.message.slice(0, MAX_MESSAGE) : undefined;
  const recheck = value && typeof value.recheckAfterMs === 'number' && value.recheckAfterMs >= 0 ? value.recheckAfterMs : undefined;
  const confirmed = confirmedByApply(value?.observed, target, (version) => labels[version] ?? version);
  if (confirmed) {
    // The apply's own report shows the target reached: converged in this tick, with what the
    // fetch before it saw kept for the engine's crash bookkeeping (it counts as a look of its own).
    return withLogs({
      ...result,
      observed: confirmed,
      converged: true,
      applied: true,
      reasons: [],
      unhealthy: false,
      beforeApply: { observed, reasons: decision.reasons, unhealthy: decision.unhealthy },
      ...(applyMessage !== undefined ? { applyMessage } : {}),
      durationMs: Date.now() - startedAt,
    });
  }
  return withLogs({
    ...result,
    applied: true,
    reasons: [{ code: 'APPLYING', message: `applying ${labels[target.version] ?? target.version}${applyMessage ? `: ${applyMessage}` : ''}` }, ...decision.reasons],
    ...(applyMessage !== undefined ? { applyMessage } : {}),
    ...(recheck !== undefined ? { recheckAfterMs: recheck } : {}),
    durationMs: Date.now() - startedAt,
  });
}

/**
 * What an apply reported running (ApplyResult.observed), when it is well-formed and the decision
 * on it is "converged"; anything else (absent, malformed, not there yet) leaves the tick as it was:
 * applied, confirmed by a later fetch.
 */
function confirmedByApply(reported: unknown, target: TargetState, label: (version: string) => string): ObservedState | undefined {
  if (reported === undefined || reported === null || observedStateProblem(reported)) return undefined;
  const observed = cleanObservedState(reported as ObservedState);
  return decide(observed, target, label).converged ? observed : undefined;
}
