import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';

export type RemovalCause = 'CHANNEL_REMOVED' | 'SERVICE_DELETED' | 'APPLICATION_DELETED';

/**
 * The durable intent "remove what ran for this instance": written in the same transaction that
 * deletes the instance row, worked off by the engine through the plugin's `delete` hook, deleted
 * when that succeeded. A crash at any point leaves the row, and a restarted server finishes it.
 * Names, not ids, because the rows they name are gone; the runtime is looked up by name at removal
 * time (its config may hold secrets and is not copied here).
 */
@Entity({ tableName: 'pending_removals' })
@Index({ properties: ['dueAt'] })
export class PendingRemovalRow {
  [OptionalProps]?: 'createdAt' | 'attempts' | 'partition';

  /** The removed instance's id (what the plugin knows it by). */
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  applicationId!: string;

  @Property({ type: 'string', length: 63 })
  application!: string;

  @Property({ type: 'string', length: 63 })
  channel!: string;

  @Property({ type: 'string', length: 63 })
  service!: string;

  @Property({ type: 'string', length: 63 })
  runtime!: string;

  @Property({ type: 'string', length: 200 })
  plugin!: string;

  @Property({ type: 'string', length: 30 })
  cause!: RemovalCause;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property({ type: EpochMsType })
  createdAt: Date = new Date();

  /** Epoch ms: not before. */
  @Property({ type: new BigIntType('number') })
  dueAt!: number;

  /**
   * The engine that had the instance leased when its row went, and until when: a tick of another
   * replica may still be applying, so that replica's removal waits for it (see RemovalQueue).
   */
  @Property({ type: 'string', length: 100, nullable: true })
  heldBy?: string | null;

  /** The removed instance's partition: its owner, who knows whether a tick of it runs, removes it. */
  @Property({ type: 'integer' })
  partition: number = 0;

  @Property({ type: new BigIntType('number'), nullable: true })
  heldUntil?: number | null;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  leaseOwner?: string | null;

  @Property({ type: new BigIntType('number'), nullable: true })
  leaseExpiresAt?: number | null;
}
