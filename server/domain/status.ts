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
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Why an instance is where it is, in words a person on call understands. */
export interface StatusReason {
  code: ReasonCode;
  message: string;
  /** ISO timestamp: since when this reason has held. */
  since: string;
}
