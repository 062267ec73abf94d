import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';
import type { Opt } from '@mikro-orm/core';

export type Role = 'admin' | 'deployer' | 'viewer';

/** Only the sha256 of a token is stored; the secret is shown once, when it is created. */
@Entity({ tableName: 'api_tokens' })
export class ApiTokenRow {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 64 })
  @Unique()
  tokenHash!: string;

  /** First characters of the secret, so a person can tell tokens apart in a list. */
  @Property({ type: 'string', length: 16 })
  prefix!: string;

  @Property({ type: 'string', length: 10 })
  role!: Role;

  /** null: every application; otherwise only these application names. */
  @Property({ type: 'json', nullable: true })
  applications?: string[] | null;

  @Property({ type: 'string', length: 200 })
  createdBy!: string;

  @Property({ type: EpochMsType })
  createdAt: Opt<Date> = new Date();

  @Property({ type: EpochMsType, nullable: true })
  revokedAt?: Date | null;
}
