import { Entity, Property } from '@mikro-orm/core';
import type { NotifierDoc } from '../../compiler/types.js';
import { MutableRow } from './base.js';

/** A Notifier config document. The webhook URL and signing secret are sealed (server/notify/secret-values.ts), never stored in clear. */
@Entity({ tableName: 'notifiers' })
export class NotifierRow extends MutableRow {
  @Property({ type: 'string', length: 100, unique: true })
  name!: string;

  @Property({ type: 'string', length: 10 })
  format!: NotifierDoc['format'];

  @Property({ type: 'json' })
  filters!: NotifierDoc['filters'];

  @Property({ type: 'text' })
  sealedUrl!: string;

  @Property({ type: 'text', nullable: true })
  sealedSigningSecret?: string | null;

  @Property({ type: 'string', length: 100 })
  documentDigest!: string;
}
