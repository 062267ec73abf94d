import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';
import type { Opt } from '@mikro-orm/core';

/** Immutable: a release is a service's parameter values at one point in time. */
@Entity({ tableName: 'releases' })
@Unique({ properties: ['serviceId', 'number'] })
export class ReleaseRow {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  @Index()
  serviceId!: string;

  @Property({ type: 'string', length: 36 })
  applicationId!: string;

  @Property({ type: 'integer' })
  number!: number;

  /** Parameter values after defaults and coercion. */
  @Property({ type: 'json' })
  params!: Record<string, string | number>;

  @Property({ type: 'string', length: 200 })
  createdBy!: string;

  @Property({ type: EpochMsType })
  createdAt: Opt<Date> = new Date();
}
