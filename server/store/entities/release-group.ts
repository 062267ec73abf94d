import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';

/** One service's part of a multi-service release. */
export interface GroupMember {
  serviceId: string;
  service: string;
  releaseId: string;
}

/**
 * A multi-service release: several services of one application released as one. Each member is
 * an ordinary immutable release (with `groupId`); the group moves through the channels together,
 * in service order (`Service.dependsOn`), and fails or rolls back as a whole in a channel.
 */
@Entity({ tableName: 'release_groups' })
export class ReleaseGroupRow {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  @Index()
  applicationId!: string;

  /** e.g. `web v2 + api v7`. */
  @Property({ type: 'string', length: 300 })
  label!: string;

  /** In service order: a member comes after the members it depends on. */
  @Property({ type: 'json' })
  members!: GroupMember[];

  @Property({ type: 'string', length: 200 })
  createdBy!: string;

  @Property({ type: EpochMsType })
  createdAt: Date = new Date();
}
