/**
 * What crosses the thread boundary between the scheduler (main thread) and the worker pool.
 * Plain, structured-clonable data only: no functions, no class instances, no errors.
 */
import type { InstanceIdentity, ObservedState, TargetState } from '@driftless/plugin-sdk';
import type { ReasonCode } from '../server/domain/status.js';

export interface TickInput {
  instanceId: string;
  identity: InstanceIdentity;
  /** Name of the runtime plugin that drives this instance (a key of the `plugins` map). */
  plugin: string;
  /** The Runtime's config. May hold secrets: it never appears in results, messages or logs. */
  runtimeConfig: Record<string, unknown>;
  /** The release to converge to; absent when there is none yet (fetch and report only). */
  target?: TargetState;
  /** 'observe' (paused): fetch and report, never apply. */
  mode: 'converge' | 'observe';
  timeouts: { fetchMs: number; applyMs: number };
  /** The server's data directory, passed to the plugin as ctx.dataDir. */
  dataDir?: string;
  /** Labels people know versions by (`v2`), for the reasons' words; versions are release ids. */
  labels?: Record<string, string>;
  /**
   * A steady re-check: the digest of what the last tick saw (steady-digest.ts). When this tick sees
   * the same, its result is short (`asExpected`).
   */
  expect?: string;
}

export type TickHook = 'fetch' | 'apply' | 'load';

export interface TickError {
  plugin: string;
  hook: TickHook;
  message: string;
  /** The plugin said retrying cannot help (TerminalError). */
  terminal: boolean;
  timedOut: boolean;
}

export interface TickReason {
  code: ReasonCode;
  message: string;
}

export interface TickResult {
  instanceId: string;
  /** What fetch saw; absent when fetch failed. */
  observed?: ObservedState;
  converged: boolean;
  /** An apply was made in this tick and returned without error. */
  applied: boolean;
  applyMessage?: string;
  reasons: TickReason[];
  /** Something FAILED or has replicas unavailable (from the decision; false when fetch failed). */
  unhealthy?: boolean;
  error?: TickError;
  /**
   * Set when this tick applied and the apply's own report (ApplyResult.observed) showed the target
   * reached, so the tick is converged: what the fetch before the apply saw, and its reasons.
   */
  beforeApply?: { observed: ObservedState; reasons: TickReason[]; unhealthy?: boolean };
  /** The plugin asked to be checked again sooner (from ApplyResult). */
  recheckAfterMs?: number;
  /**
   * Converged and exactly what `TickInput.expect` said: `observed` is left out (steady-digest.ts).
   */
  asExpected?: true;
  /** A converged look's digest (steady-digest.ts), for the engine to send as `expect` next time. */
  steadyDigest?: string;
  /** Lines the plugin logged during this tick, capped; the main thread logs them. */
  logs?: string[];
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** How long each plugin hook called in this tick took (metrics: plugin call latency). */
  hookMs?: { fetch?: number; apply?: number };
}

/** One piscina task: a batch of ticks plus where to import each plugin from. */
export interface TickBatch {
  ticks: TickInput[];
  /** Plugin name → absolute module path or file URL. */
  plugins: Record<string, string>;
  /** Set by the pool: names the batch in the thread's "started" message. */
  batchId?: number;
  /** Set by the pool: shared memory the thread records its progress in (batch-progress.ts). */
  progress?: SharedArrayBuffer;
  /**
   * Set by the pool: each tick's result is posted (TicksDoneMessage) as soon as it is ready rather
   * than returned with the batch, so one slow call does not hold up the others' results.
   */
  stream?: boolean;
}

/**
 * Posted by a worker thread (through piscina's 'message' event) with results of a streaming batch:
 * those ready in the same turn of the thread's event loop, by their index in the batch.
 */
export interface TicksDoneMessage {
  driftlessTicksDone: number;
  results: [index: number, result: TickResult][];
}

/** Posted by a worker thread (through piscina's 'message' event) when it starts a batch. */
export interface BatchStartedMessage {
  driftlessBatchStarted: number;
}
