/**
 * Statuses and reason codes of a Service Instance. Shared by the engine, the worker, the gates and
 * the API (which exposes them as GraphQL enums). Plain constants: worker threads import this too.
 */

export const CONVERGENCE_STATUSES = [
  'PENDING',
  'WAITING',
  'CONVERGING',
  'CONVERGED',
  'FAILED',
  'ROLLING_BACK',
  'ROLLED_BACK',
  'PAUSED',
  /** Converged on its release, but a health gate fails or it crash-loops since: holds what follows it. */
  'DEGRADED',
] as const;
export type ConvergenceStatus = (typeof CONVERGENCE_STATUSES)[number];

export const REASON_CODES = [
  /** No release has been created for this service yet, or the engine has not looked yet. */
  'NO_RELEASE',
  'NOT_YET_CHECKED',
  'DEPENDENCY_NOT_CONVERGED',
  'SOAKING',
  'AWAITING_APPROVAL',
  'RELEASE_REJECTED',
  'OUTSIDE_ALLOWED_TIMES',
  'ALERTS_FIRING',
  'CHECK_FAILING',
  'VERIFYING',
  'PAUSED_BY_USER',
  'APPLYING',
  'PROGRESSING',
  'UNHEALTHY',
  'VERSION_MISMATCH',
  'DRIFT_DETECTED',
  'APPLY_FAILED',
  'FETCH_FAILED',
  'PLUGIN_ERROR',
  'PLUGIN_TIMEOUT',
  'PLUGIN_UNAVAILABLE',
  'PROGRESS_DEADLINE_EXCEEDED',
  'RELEASE_MARKED_BAD',
  'ROLLBACK_IN_PROGRESS',
  'ROLLED_BACK_TO_PREVIOUS',
  'NOTHING_TO_ROLL_BACK_TO',
  'SUPERSEDED',
  /** The runtime reports the release converged; it must stay healthy for the stabilization window first. */
  'STABILIZING',
  /** Restarts (or heal cycles) came too often: the release crash-loops. */
  'CRASH_LOOP',
  /** A new release waits: a health gate fails on what runs in this channel now. */
  'HEALTH_HOLD',
  /** The upstream channel runs the release but is unhealthy on it (check failing, crash loop). */
  'UPSTREAM_UNHEALTHY',
  /** A person rolled the service back here; the release they left is marked bad here. */
  'ROLLED_BACK_BY_USER',
  /** An admin bypassed a gate for this release here (shown while it would otherwise hold). */
  'GATE_BYPASSED',
  /** A person pinned the service in this channel: newer releases wait until it is unpinned. */
  'PINNED',
  /** The upstream keeps a release that soaks for a downstream channel; newer ones wait behind it. */
  'SOAK_PROTECTED',
  /** releasePolicy queue: earlier releases go through this channel first. */
  'QUEUED',
  /** The channel's or runtime's limit of rollouts at once is reached. */
  'CONCURRENCY_LIMIT',
  /** A multi-service release: waiting for the other services of the group (or the service order). */
  'GROUP_WAITING',
  /** Another service of a multi-service release failed here: the whole group is rolled back and marked bad. */
  'GROUP_FAILED',
  /** A progressive rollout: which step the release is at here, and what it waits for (pause, analysis). */
  'ROLLOUT_STEP',
  /** A rollout step's analysis failed: the release is rolled back here. */
  'ANALYSIS_FAILED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Why an instance is where it is, in words a person on call understands. */
export interface StatusReason {
  code: ReasonCode;
  message: string;
  /** ISO timestamp: since when this reason has held. */
  since: string;
}
