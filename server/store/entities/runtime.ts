import { Entity, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type { JsonObject } from '../../compiler/types.js';
import { MutableRow } from './base.js';
import { EpochMsType } from './epoch-ms-type.js';

@Entity({ tableName: 'runtimes' })
export class RuntimeRow extends MutableRow {
  @Property({ type: 'string', length: 63 })
  @Unique()
  name!: string;

  @Property({ type: 'string', length: 200 })
  plugin!: string;

  /** Plugin-specific; may hold secrets, so the API redacts it on every read. */
  @Property({ type: 'json' })
  config: Opt<JsonObject> = {};

  @Property({ type: 'json' })
  labels: Opt<Record<string, string>> = {};

  /** At most this many instances roll out on this runtime at once (every application); null: no limit. */
  @Property({ type: 'integer', nullable: true })
  maxConcurrentRollouts?: number | null;

  /** Shared values services read as {{ runtime.constants.x }}. */
  @Property({ type: 'json', nullable: true })
  constants?: Record<string, string | number | boolean> | null;

  /** Only these applications may have channels on this runtime; null: every application. */
  @Property({ type: 'json', nullable: true })
  allowedApplications?: string[] | null;

  /** Deleted while channels generated for it still ran: it goes once their workloads are removed. */
  @Property({ type: EpochMsType, nullable: true })
  retiredAt?: Date | null;

  /** Digest of the normalized document: an unchanged re-apply writes nothing. */
  @Property({ type: 'string', length: 64 })
  documentDigest!: string;
}
