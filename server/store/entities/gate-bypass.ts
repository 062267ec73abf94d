import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';

/** The gates an admin may bypass for one release in one channel (`dependsOn` included). */
export type BypassableGate = 'dependsOn' | 'soak' | 'manualApproval' | 'allowedTimes' | 'alerts' | 'httpCheck';

/**
 * An admin's deliberate bypass of one gate for one release in one channel, with the reason. The only
 * way around a gate; never implied by anything else, and recorded as an event too.
 */
@Entity({ tableName: 'gate_bypasses' })
@Unique({ properties: ['releaseId', 'channelId', 'gate'] })
@Index({ properties: ['releaseId', 'channelId'] })
export class GateBypassRow {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  releaseId!: string;

  @Property({ type: 'string', length: 36 })
  channelId!: string;

  @Property({ type: 'string', length: 36 })
  applicationId!: string;

  @Property({ type: 'string', length: 20 })
  gate!: BypassableGate;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: EpochMsType })
  createdAt: Date = new Date();
}
