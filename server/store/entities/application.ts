import { Entity, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type { ApplicationDoc } from '../../compiler/types.js';
import { MutableRow } from './base.js';

@Entity({ tableName: 'applications' })
export class ApplicationRow extends MutableRow {
  @Property({ type: 'string', length: 63 })
  @Unique()
  name!: string;

  /** The normalized document as last applied (channels are also stored as rows for queries). */
  @Property({ type: 'json' })
  document!: ApplicationDoc;

  @Property({ type: 'string', length: 64 })
  documentDigest!: string;

  /** Counts changes of the config that shapes this application's releases (its documents, its services', its runtimes'). */
  @Property({ type: 'integer' })
  configGeneration: Opt<number> = 1;

  /** pauseConvergence on the whole application: fetch and status go on, apply stops. */
  @Property({ type: 'boolean' })
  paused: Opt<boolean> = false;
}
