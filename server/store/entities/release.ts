import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';
import type { Opt } from '@mikro-orm/core';
import type { ApplicationDoc, CompiledChannelState, RuntimeDoc, ServiceDoc } from '../../compiler/types.js';
import type { FieldChange } from '../../compiler/state-diff.js';

/** VERSION: createRelease (new parameter values). CONFIG: an applyConfig changed what this service compiles to. */
export type ReleaseTrigger = 'VERSION' | 'CONFIG';

/** The documents a release was compiled from (runtime configs are left out: they may hold secrets). */
export interface ConfigSnapshot {
  application: ApplicationDoc;
  service: ServiceDoc;
  runtimes: Pick<RuntimeDoc, 'name' | 'plugin' | 'labels'>[];
}

/**
 * Immutable and fully compiled: a service's parameter values against one generation of the config,
 * with one compiled desired state per channel. Nothing edits a release after it exists; a change of
 * config makes a new release (trigger CONFIG) that walks the channels like any other.
 */
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

  @Property({ type: 'string', length: 10 })
  trigger: Opt<ReleaseTrigger> = 'VERSION';

  /** What people call it: `v2`, `v2 · config 5`; unique per service. */
  @Property({ type: 'string', length: 120 })
  label!: string;

  /** The application's config generation this release was compiled from. */
  @Property({ type: 'integer' })
  configGeneration: Opt<number> = 1;

  /** Compiled desired state per channel name. */
  @Property({ type: 'json' })
  states: Opt<Record<string, CompiledChannelState>> = {};

  /** What changed per channel against `basedOnReleaseId` (the service's newest release before this one). */
  @Property({ type: 'json' })
  changes: Opt<Record<string, FieldChange[]>> = {};

  @Property({ type: 'string', length: 36, nullable: true })
  basedOnReleaseId?: string | null;

  @Property({ type: 'json', nullable: true })
  configSnapshot?: ConfigSnapshot | null;

  /** Set when the release is one member of a multi-service release (release_groups). */
  @Property({ type: 'string', length: 36, nullable: true })
  @Index()
  groupId?: string | null;

  @Property({ type: EpochMsType })
  createdAt: Opt<Date> = new Date();
}
