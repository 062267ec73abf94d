import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type { ServiceDoc } from '../../compiler/types.js';
import { MutableRow } from './base.js';

@Entity({ tableName: 'services' })
@Unique({ properties: ['applicationId', 'name'] })
export class ServiceRow extends MutableRow {
  @Property({ type: 'string', length: 36 })
  @Index()
  applicationId!: string;

  @Property({ type: 'string', length: 63 })
  name!: string;

  @Property({ type: 'json' })
  document!: ServiceDoc;

  @Property({ type: 'string', length: 64 })
  documentDigest!: string;

  /** Releases of this service are numbered 1, 2, 3... */
  @Property({ type: 'integer' })
  releaseCount: Opt<number> = 0;
}
