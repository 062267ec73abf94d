/**
 * Plain data in and out of the gate evaluation. Gates decide whether a Service Instance may move to
 * its desired release now; the engine calls `evaluateGates` for many instances per scheduler pass,
 * so everything here is plain data that is cheap to build and can be persisted as JSON.
 */
import type { CompiledGate } from '../../compiler/types.js';
import type { ReasonCode } from '../../domain/status.js';

export type { CompiledGate };

/** One reason a gate holds an instance back, in words a person on call understands. */
export interface GateReason {
  code: ReasonCode;
  message: string;
}

/** What the engine knows about one upstream channel (a channel named in `dependsOn`). */
export interface UpstreamState {
  channel: string;
  convergedReleaseId?: string;
  /** Label of `convergedReleaseId` (e.g. "v1"), only for messages ("staging runs v1"). */
  convergedReleaseLabel?: string;
  /** ms epoch: when the upstream converged on `convergedReleaseId`. */
  convergedAt?: number;
  /** ms epoch: when the upstream's post-deploy httpCheck verification finished for that release. */
  verifiedAt?: number;
  hasPostDeployCheck: boolean;
  /** Releases marked bad in that channel: they must never be promoted downstream. */
  badReleaseIds?: string[];
  /** What that channel runs now, whether or not it counts as converged (for messages). */
  runningReleaseLabel?: string;
  /** What that channel is rolling out, when it is rolling something out (for messages). */
  rollingOutReleaseLabel?: string;
  /** The channel runs its release but is unhealthy on it: promotion from it waits. */
  hold?: { code: ReasonCode; message: string; since: number };
  /** Releases a newer one replaced there before they ran (they can never come from there). */
  supersededReleaseIds?: string[];
  /** Pinned there: it will not move until unpinned (for messages). */
  pinnedAt?: { label: string; by: string; reason: string };
}

export interface Approvals {
  approvers: string[];
  rejectedBy?: { actor: string; comment?: string };
}

/** Latest result of one health probe (alerts query or HTTP check), as kept by the HealthMonitor. */
export interface HealthResult {
  ok: boolean;
  /** e.g. "2 alerts firing matching severity=critical: HighErrorRate, DiskFull". */
  message: string;
  /** ms epoch: start of the probe that last flipped `ok` (or `unreachable`). */
  since: number;
  /** ms epoch: start of the latest probe. A probe's result describes the moment it was sent. */
  checkedAt: number;
  /** The probe could not get an answer (connection refused, timeout, bad response). */
  unreachable?: boolean;
  /** ms epoch: start of the latest probe that failed, if any did. */
  lastFailedAt?: number;
}

/**
 * Per gate key (see `gateKey`), the latest health result; undefined = not checked yet.
 * Built by `HealthMonitor.snapshot(gates)` for one channel's gates.
 */
export type HealthSnapshot = Readonly<Record<string, HealthResult | undefined>>;

export interface GateInput {
  now: number;
  channel: string;
  releaseId: string;
  /** e.g. "v2", for messages. */
  releaseLabel: string;
  dependsOn: string[];
  upstream: UpstreamState[];
  gates: CompiledGate[];
  approvals: Approvals;
  health: HealthSnapshot;
  /** The instance is already converging on this release. */
  rollingOut: boolean;
  /**
   * Gate keys already satisfied earlier for this release in this channel (e.g. before a
   * replacement): static gates (dependsOn, soak, manualApproval) are not waited for twice.
   */
  alreadySatisfied?: string[];
  /** Gate types an admin bypassed for this release in this channel (`dependsOn` included). */
  bypassed?: string[];
}

/** What one gate (by key) says in an evaluation, for people; never part of the decision. */
export interface GateDetail {
  key: string;
  state: 'open' | 'waiting' | 'failing';
  message?: string;
}

export type GateVerdict =
  | { decision: 'open'; satisfied: string[] }
  | {
      decision: 'wait';
      reasons: GateReason[];
      /**
       * ms epoch: the earliest moment a time-based reason changes by itself (a soak ends, an
       * allowed-times window opens or closes). Approvals and health changes come as events instead.
       */
      recheckAt?: number;
      satisfied: string[];
    }
  | { decision: 'fail'; reasons: GateReason[] };

export interface VerificationInput {
  now: number;
  /** ms epoch: when this channel converged on the release being verified. */
  convergedAt: number;
  gates: CompiledGate[];
  health: HealthSnapshot;
}

export interface VerificationResult {
  state: 'verified' | 'verifying' | 'failed';
  reasons: GateReason[];
  /** While verifying: when the verification window ends. */
  recheckAt?: number;
}
