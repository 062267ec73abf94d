import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';

export type ApprovalDecision = 'APPROVE' | 'REJECT';

/** One person's decision on one release in one channel. Distinct actors count toward minApprovers. */
@Entity({ tableName: 'approvals' })
@Unique({ properties: ['releaseId', 'channelId', 'actor'] })
@Index({ properties: ['releaseId', 'channelId'] })
export class ApprovalRow {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  releaseId!: string;

  @Property({ type: 'string', length: 36 })
  channelId!: string;

  @Property({ type: 'string', length: 36 })
  applicationId!: string;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property({ type: 'string', length: 10 })
  decision!: ApprovalDecision;

  @Property({ type: 'text', nullable: true })
  comment?: string | null;

  /** Digest of the compiled state that was approved (the release's state in that channel): the plan the approver saw. */
  @Property({ type: 'string', length: 64, nullable: true })
  stateDigest?: string | null;

  @Property({ type: EpochMsType })
  createdAt: Date = new Date();
}
