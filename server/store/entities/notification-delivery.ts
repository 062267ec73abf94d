import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/**
 * One notification to one notifier: the outbox row (written with its event, in its transaction)
 * and, once worked off, the delivery log. Its id is the Idempotency-Key the receiver sees.
 * The dispatcher writes it with plain SQL (server/notify/outbox.ts); the API reads it through this.
 */
@Entity({ tableName: 'notification_deliveries' })
@Index({ properties: ['status', 'nextAttemptAt'] })
export class NotificationDeliveryRow {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 36 })
  notifierId!: string;

  @Property({ type: 'string', length: 100 })
  notifierName!: string;

  @Property({ type: new BigIntType('number'), nullable: true })
  eventId?: number | null;

  /** A NotifyEvent, or TEST for a test-send. */
  @Property({ type: 'string', length: 30 })
  eventType!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  applicationName?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  channelName?: string | null;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'string', length: 12 })
  status!: DeliveryStatus;

  @Property({ type: 'integer' })
  attempts!: number;

  @Property({ type: EpochMsType, nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'string', length: 100, nullable: true })
  leaseOwner?: string | null;

  @Property({ type: new BigIntType('number'), nullable: true })
  leaseExpiresAt?: number | null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode?: number | null;

  @Property({ type: 'string', length: 500, nullable: true })
  lastError?: string | null;

  @Property({ type: EpochMsType })
  createdAt!: Date;

  @Property({ type: EpochMsType, nullable: true })
  deliveredAt?: Date | null;
}
