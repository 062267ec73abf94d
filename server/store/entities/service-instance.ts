import { BigIntType, Entity, Index, Property, Unique } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';
import type { Opt } from '@mikro-orm/core';
import type { CompiledChannelState } from '../../compiler/types.js';
import type { ConvergenceStatus, StatusReason } from '../../domain/status.js';
import { MutableRow } from './base.js';
import { partitionOf } from '../../engine/partition-of.js';

/** A person's decision to hold an instance at one release, with why. */
export interface InstancePin {
  releaseId: string;
  by: string;
  reason: string;
  /** ms epoch */
  at: number;
}

/**
 * A Service in one Release Channel. The engine's hot path reads and writes these rows with batched
 * SQL (see server/engine); the API uses them through the ORM.
 */
@Entity({ tableName: 'service_instances' })
@Unique({ properties: ['serviceId', 'channelId'] })
@Index({ properties: ['nextCheckAt'] })
export class ServiceInstanceRow extends MutableRow {
  @Property({ type: 'string', length: 36 })
  @Index()
  applicationId!: string;

  @Property({ type: 'string', length: 36 })
  @Index()
  serviceId!: string;

  @Property({ type: 'string', length: 36 })
  @Index()
  channelId!: string;

  /** The newest release the user asked for. */
  @Property({ type: 'string', length: 36, nullable: true })
  @Index()
  desiredReleaseId?: string | null;

  /** Compiled desired state of the desired release in this channel. */
  @Property({ type: 'json', nullable: true })
  desiredState?: CompiledChannelState | null;

  /** What the engine steers to now: the desired release, or a rollback target. */
  @Property({ type: 'string', length: 36, nullable: true })
  targetReleaseId?: string | null;

  @Property({ type: 'json', nullable: true })
  targetState?: CompiledChannelState | null;

  /** The release this instance last converged on, and when. */
  @Property({ type: 'string', length: 36, nullable: true })
  convergedReleaseId?: string | null;

  @Property({ type: EpochMsType, nullable: true })
  convergedAt?: Date | null;

  @Property({ type: 'string', length: 20 })
  status: Opt<ConvergenceStatus> = 'PENDING';

  @Property({ type: 'json' })
  reasons: Opt<StatusReason[]> = [];

  @Property({ type: EpochMsType })
  statusSince: Opt<Date> = new Date();

  /** Last ObservedState from the runtime plugin. */
  @Property({ type: 'json', nullable: true })
  observed?: unknown;

  @Property({ type: 'boolean' })
  paused: Opt<boolean> = false;

  /** Epoch milliseconds when the scheduler should look at this instance again. */
  @Property({ type: new BigIntType('number'), nullable: true })
  nextCheckAt?: number | null;

  /**
   * The partition (server/engine/partition-of.ts) whose owner ticks this instance. Set from the id
   * when the row is created; never changes.
   */
  @Property({ type: 'integer', onCreate: (i: ServiceInstanceRow) => partitionOf(i.id) })
  partition!: Opt<number>;

  /** Before partitions (issue 17) the engine leased single instances here; no longer written. */
  @Property({ type: 'string', length: 100, nullable: true })
  leaseOwner?: string | null;

  @Property({ type: new BigIntType('number'), nullable: true })
  leaseExpiresAt?: number | null;

  /** Set by rollbackService; the engine acts on it once (it remembers the last one it handled). */
  @Property({ type: new BigIntType('number'), nullable: true })
  rollbackRequestedAt?: number | null;

  /** Who asked for that rollback, and why (shown in the status). */
  @Property({ type: 'string', length: 300, nullable: true })
  rollbackRequestedBy?: string | null;

  /** That rollback goes to this release (null: the newest earlier one that converged here). */
  @Property({ type: 'string', length: 36, nullable: true })
  rollbackRequestedTo?: string | null;

  /** Set by promoteRollout: skip the rest of the current rollout step (acted on once). */
  @Property({ type: new BigIntType('number'), nullable: true })
  promoteRequestedAt?: number | null;

  @Property({ type: 'string', length: 300, nullable: true })
  promoteRequestedBy?: string | null;

  /** Held at a release: automation never moves it (pinService, rollback --pin). */
  @Property({ type: 'json', nullable: true })
  pin?: InstancePin | null;

  /** Engine bookkeeping (attempts, rollout start, bad releases, gate progress): plain JSON. */
  @Property({ type: 'json' })
  engineState: Opt<Record<string, unknown>> = {};
}
