import { randomUUID } from 'node:crypto';
import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { EpochMsType } from './epoch-ms-type.js';
import type { Opt } from '@mikro-orm/core';

/**
 * Columns every mutable row has. `version` is the optimistic lock: MikroORM adds it to the WHERE
 * of every UPDATE and raises OptimisticLockError when someone else wrote first; the API also
 * compares it with a client's `expectedVersion` before writing.
 */
export abstract class MutableRow {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'version';

  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;

  @Property({ type: EpochMsType })
  createdAt: Opt<Date> = new Date();

  @Property({ type: EpochMsType, onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
