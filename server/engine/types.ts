import type { CompiledChannelState } from '../compiler/types.js';
import type { ConvergenceStatus, ReasonCode, StatusReason } from '../domain/status.js';
import type { InstancePin } from '../store/entities/service-instance.js';

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
  /**
   * rollout: steering to (or running) the desired release; rollback: back to an earlier release
   * after a failure; rolled-back: the rollback converged (until a new release starts); halted:
   * failed with nothing to roll back to.
   */
  mode?: 'rollout' | 'rollback' | 'rolled-back' | 'halted';
  /** When the current target was first applied (for progressDeadline). */
  rolloutStartedAt?: number;
  /** Consecutive failed ticks on the current target. */
  attempts?: number;
  /** Consecutive ticks that found the target not yet converged (for backoff). */
  pendingTicks?: number;
  /** Releases that failed in this channel: never promoted here again automatically. */
  badReleaseIds?: string[];
  /** Releases this instance converged on, newest first (rollback targets). */
  history?: { releaseId: string; state: CompiledChannelState; convergedAt: number; version?: string }[];
  /** Gate keys satisfied for a release in this channel, so they are not waited for twice. */
  satisfied?: { releaseId: string; keys: string[] };
  /** When post-deploy verification of the converged release finished. */
  verifiedAt?: number;
  /** The rollbackService request (rollback_requested_at) this instance last acted on. */
  rollbackHandledAt?: number;
  /** What failed, for the status message after a rollback. */
  failure?: { releaseId: string; code: ReasonCode; message: string; at: number };
  /** When the runtime first reported the target converged in the current healthy stretch (stabilization). */
  stableSince?: number;
  /** Heal cycles of the target release: seen up, then down (epoch ms, oldest first, within the crash-loop window). */
  heals?: number[];
  /** Restarts the runtime reported for the target release (epoch ms seen, oldest first, within the window). */
  restartTimes?: number[];
  /** What the runtime said about the last crash, for the CRASH_LOOP reason. */
  lastCrash?: string;
  /** The target was seen down (counted once per episode, until it is up again). */
  down?: boolean;
  /** Restart count the runtime last reported for the target release. */
  restarts?: { releaseId: string; count: number };
  /**
   * Something is wrong with what runs here after it converged: a health gate failing (holds new
   * rollouts here and promotion from here) or a crash loop (holds promotion from here).
   */
  hold?: { code: ReasonCode; message: string; since: number; gate?: 'alerts' | 'httpCheck' };
  /**
   * The version the runtime runs the target under (what plugins report back). It stays the release
   * id that first applied this exact compiled state here, so a release that changes nothing here
   * (a config change for another channel) takes over without a redeploy.
   */
  runtimeVersion?: { version: string; digest: string };
  /** The release this channel takes next, by its release policy (see next-release.ts). */
  candidate?: { releaseId: string };
  /** A multi-service release's member whose own gates here are open: the group may start once all are. */
  groupReady?: string;
  /** Releases that never ran here because a newer one replaced them (latest policy), newest last. */
  superseded?: { releaseId: string; by: string; at: number; why: string }[];
  /** The gates of the next release here as last evaluated, for people (the dashboard). */
  gates?: GateState[];
  /**
   * A progressive rollout of the target (see steps.ts): the step it is at (0-based), when that
   * step started, and when the runtime first reported it reached (its pause or analysis counts
   * from there).
   */
  step?: { releaseId: string; index: number; startedAt: number; reachedAt?: number };
  /** The promoteRollout request (promote_requested_at) this instance last acted on. */
  promoteHandledAt?: number;
}

export interface GateState {
  /** Gate key: soak, manualApproval, allowedTimes, dependsOn, alerts:…, httpCheck:… */
  key: string;
  type: string;
  state: 'open' | 'waiting' | 'failing' | 'bypassed';
  /** The reason, when it holds. */
  message?: string;
}

/** One row of service_instances as the engine sees it. */
export interface InstanceSnapshot {
  id: string;
  version: number;
  /** Its partition (server/engine/partition-of.ts): whose owner ticks it. */
  partition: number;
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
  /** Who asked for that rollback. */
  rollbackRequestedBy: string | null;
  /** A rollback to this release (null: the newest earlier one that converged here). */
  rollbackRequestedTo: string | null;
  /** Held at a release by a person: automation never moves it. */
  pin: InstancePin | null;
  /** promoteRollout: skip the rest of the current rollout step (acted on once). */
  promoteRequestedAt: number | null;
  promoteRequestedBy: string | null;
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
