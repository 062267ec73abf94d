import type { CompiledChannelState } from '../compiler/types.js';
import type { EventType } from '../domain/events.js';
import type { ConvergenceStatus, ReasonCode } from '../domain/status.js';
import type { Approvals, HealthSnapshot, UpstreamState } from './gates/index.js';
import type { ChannelInfo, ReleaseInfo, ServiceInfo } from './config-cache.js';
import type { EngineState, InstanceSnapshot } from './types.js';

export interface EngineSettings {
  /** How often a converged instance is fetched to catch drift. */
  steadyIntervalMs: number;
  /** Failed ticks on a new release before it is failed and rolled back. */
  maxAttempts: number;
  /** Fallback re-check while waiting on gates (approvals and health changes also wake the engine). */
  gatePollMs: number;
  /** Longest backoff between checks of a converging or erroring instance. */
  maxBackoffMs: number;
  /** Stabilization window where the compiled state does not set one. */
  stabilizationMs: number;
  /** Crashes (restarts or heal cycles) within crashLoopWindowMs that make a crash loop. */
  crashLoopRestarts: number;
  crashLoopWindowMs: number;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  steadyIntervalMs: 30_000,
  maxAttempts: 5,
  gatePollMs: 5_000,
  maxBackoffMs: 30_000,
  stabilizationMs: 30_000,
  crashLoopRestarts: 3,
  crashLoopWindowMs: 5 * 60_000,
};

/** A multi-service release as seen from one channel: its members and their instances there. */
export interface GroupView {
  id: string;
  label: string;
  members: { service: string; serviceId: string; releaseId: string; dependsOn: string[]; instance?: InstanceSnapshot }[];
}

/** A channel that depends on this one (same service), for soak protection. */
export interface DownstreamState {
  channel: string;
  policy: 'latest' | 'queue';
  /** Paused or pinned: it will not take anything now, so it holds nothing here. */
  idle: boolean;
  desiredReleaseId: string | null;
  candidateId?: string;
  convergedReleaseId: string | null;
  targetReleaseId: string | null;
  /** Marked bad or superseded there: it will never take these. */
  never: string[];
}

/** Everything the pure decision needs about one instance, gathered by the scheduler. */
export interface InstanceContext {
  now: number;
  instance: InstanceSnapshot;
  channel: ChannelInfo;
  service: ServiceInfo;
  applicationName: string;
  applicationPaused: boolean;
  upstream: UpstreamState[];
  /** Approvals in this channel, per release (the ones that may come next here). */
  approvals: ReadonlyMap<string, Approvals>;
  /** Gates an admin bypassed in this channel, per release. */
  bypassed: ReadonlyMap<string, string[]>;
  /** Releases this decision may name (desired, next, queued, rollback targets), with their compiled states. */
  releases: ReadonlyMap<string, ReleaseInfo>;
  /** The service's releases after what converged here, oldest first (a queue takes them in order). */
  queue: ReleaseInfo[];
  /** Channels that depend on this one, and where they stand (soak protection). */
  downstream: DownstreamState[];
  /** Multi-service releases this decision may involve, by group id, with their members' instances in this channel. */
  groups: ReadonlyMap<string, GroupView>;
  health: HealthSnapshot;
  labels: ReadonlyMap<string, string>;
  settings: EngineSettings;
}

export interface Reason {
  code: ReasonCode;
  message: string;
  /** ms epoch: since when it holds, when known better than "since the engine first said so". */
  since?: number;
}

export interface DraftEvent {
  type: EventType;
  message: string;
  data?: Record<string, unknown>;
}

/** A decision in progress: what changes before the tick, and what the tick should do. */
export interface Draft {
  es: EngineState;
  targetReleaseId: string | null;
  targetState: CompiledChannelState | null;
  convergedReleaseId: string | null;
  convergedAt: number | null;
  events: DraftEvent[];
  /** Reasons the desired release is held back (gates), shown with the status. */
  waiting: Reason[];
  /** The desired release failed before it started here (rejected): status FAILED. */
  blocked: Reason[];
  /** Earliest time a waiting gate may open by itself. */
  recheckAt?: number;
  paused: boolean;
  tick?: { mode: 'converge' | 'observe' };
  /** This decision starts a rollout (or a rollback) here: it needs a rollout slot where limits apply. */
  startsRollout?: boolean;
}

export function labelOf(ctx: InstanceContext, releaseId: string | null | undefined): string {
  if (!releaseId) return 'nothing';
  return ctx.labels.get(releaseId) ?? `release ${releaseId.slice(0, 8)}`;
}

export function statusIs(status: ConvergenceStatus, ...any: ConvergenceStatus[]): boolean {
  return any.includes(status);
}

/**
 * The version the runtime knows the target by (TargetState.version): the release id that first
 * applied this exact compiled state here (see EngineState.runtimeVersion), else the target's id.
 */
export function runtimeVersionOf(draft: Pick<Draft, 'es' | 'targetReleaseId' | 'targetState'>): string | null {
  const rv = draft.es.runtimeVersion;
  if (rv && draft.targetState && rv.digest === draft.targetState.digest) return rv.version;
  return draft.targetReleaseId;
}
