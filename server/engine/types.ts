import type { CompiledChannelState } from '../compiler/types.js';
import type { ConvergenceStatus, ReasonCode, StatusReason } from '../domain/status.js';

/** A release compiled for one channel, with the release it came from. */
export interface TargetRef {
  releaseId: string;
  state: CompiledChannelState;
}

/**
 * Engine bookkeeping kept in service_instances.engine_state (JSON). Only the engine writes it;
 * API mutations that steer the engine (rollbackService) go through `requests` columns instead,
 * so a tick in flight never overwrites a user's request.
 */
export interface EngineState {
  /** rollout: steering to the desired release; rollback: back to an earlier release after a failure; halted: failed with nothing to roll back to. */
  mode?: 'rollout' | 'rollback' | 'halted';
  /** When the current target was first applied (for progressDeadline). */
  rolloutStartedAt?: number;
  /** Consecutive failed ticks on the current target. */
  attempts?: number;
  /** Consecutive ticks that found the target not yet converged (for backoff). */
  pendingTicks?: number;
  /** Releases that failed in this channel: never promoted here again automatically. */
  badReleaseIds?: string[];
  /** Releases this instance converged on, newest first (rollback targets). */
  history?: { releaseId: string; state: CompiledChannelState; convergedAt: number }[];
  /** Gate keys satisfied for a release in this channel, so they are not waited for twice. */
  satisfied?: { releaseId: string; keys: string[] };
  /** When post-deploy verification of the converged release finished. */
  verifiedAt?: number;
  /** The rollbackService request (rollback_requested_at) this instance last acted on. */
  rollbackHandledAt?: number;
  /** What failed, for the status message after a rollback. */
  failure?: { releaseId: string; code: ReasonCode; message: string; at: number };
}

/** One row of service_instances as the engine sees it. */
export interface InstanceSnapshot {
  id: string;
  version: number;
  applicationId: string;
  serviceId: string;
  channelId: string;
  desiredReleaseId: string | null;
  desiredState: CompiledChannelState | null;
  targetReleaseId: string | null;
  targetState: CompiledChannelState | null;
  convergedReleaseId: string | null;
  convergedAt: number | null;
  status: ConvergenceStatus;
  reasons: StatusReason[];
  statusSince: number;
  observed: unknown;
  paused: boolean;
  nextCheckAt: number | null;
  rollbackRequestedAt: number | null;
  engineState: EngineState;
}

/** The columns the engine writes back after a tick. */
export type InstanceUpdate = Pick<
  InstanceSnapshot,
  'id' | 'targetReleaseId' | 'targetState' | 'convergedReleaseId' | 'convergedAt' | 'status' | 'reasons' | 'statusSince' | 'observed' | 'nextCheckAt' | 'engineState'
> & {
  /** The version read at claim time: the write is skipped if the API changed the row since. */
  expectedVersion: number;
};
