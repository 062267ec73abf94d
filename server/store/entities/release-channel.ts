import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type { ChannelDoc, CompiledGate } from '../../compiler/types.js';
import { MutableRow } from './base.js';

@Entity({ tableName: 'release_channels' })
@Unique({ properties: ['applicationId', 'name'] })
export class ReleaseChannelRow extends MutableRow {
  @Property({ type: 'string', length: 36 })
  @Index()
  applicationId!: string;

  @Property({ type: 'string', length: 63 })
  name!: string;

  /** Declaration order in the Application document. */
  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'string', length: 36 })
  @Index()
  runtimeId!: string;

  @Property({ type: 'json' })
  document!: ChannelDoc;

  @Property({ type: 'json' })
  gates: Opt<CompiledGate[]> = [];

  @Property({ type: 'boolean' })
  paused: Opt<boolean> = false;
}
