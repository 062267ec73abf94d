import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';
import type { Opt } from '@mikro-orm/core';

/**
 * Append-only history: every change and who made it. Never updated or deleted by the API; drives
 * history, audit and subscriptions. The autoincrement id orders events.
 */
@Entity({ tableName: 'events' })
@Index({ properties: ['applicationId', 'id'] })
export class EventRow {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: EpochMsType })
  at: Opt<Date> = new Date();

  @Property({ type: 'string', length: 200 })
  actor!: string;

  /** The API token behind `actor` (`token:<name>`); null for the engine and for events from before it was recorded. */
  @Property({ type: 'string', length: 36, nullable: true })
  actorTokenId?: string | null;

  @Property({ type: 'string', length: 40 })
  type!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  applicationId?: string | null;

  /** What the event is about: "Application shop", "ServiceInstance shop/staging/web", ... */
  @Property({ type: 'string', length: 300 })
  subject!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  @Index()
  subjectId?: string | null;

  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'json', nullable: true })
  data?: Record<string, unknown> | null;
}
