import type { EntityManager } from '@mikro-orm/core';
import type { NotifierDoc } from '../compiler/types.js';
import { recordEvent } from '../domain/events.js';
import { REDACTED } from '../redact.js';
import type { ConfigChange } from '../services/config-diff.js';
import { NotifierRow } from '../store/entities/index.js';
import { openSecret, sealSecret } from './secret-values.js';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Field-level before/after of a notifier; secret fields say only that they changed. */
export function notifierChanges(before: NotifierDoc | undefined, after: NotifierDoc): FieldChange[] {
  const out: FieldChange[] = [];
  const plain = (field: string, b: unknown, a: unknown) => {
    if (JSON.stringify(b) !== JSON.stringify(a)) out.push({ field, before: b ?? null, after: a ?? null });
  };
  const secret = (field: string, b: string | undefined, a: string | undefined) => {
    if (b !== a) out.push({ field, before: b === undefined ? null : REDACTED, after: a === undefined ? null : REDACTED });
  };
  secret('webhook.url', before?.webhook.url, after.webhook.url);
  secret('webhook.signingSecret', before?.webhook.signingSecret, after.webhook.signingSecret);
  plain('format', before?.format, after.format);
  plain('filters.applications', before?.filters.applications, after.filters.applications);
  plain('filters.channels', before?.filters.channels, after.filters.channels);
  plain('filters.events', before?.filters.events, after.filters.events);
  return out;
}

function storedDoc(row: NotifierRow): NotifierDoc {
  return {
    kind: 'Notifier',
    name: row.name,
    webhook: { url: openSecret(row.sealedUrl), ...(row.sealedSigningSecret ? { signingSecret: openSecret(row.sealedSigningSecret) } : {}) },
    format: row.format,
    filters: row.filters,
  };
}

/** Creates or updates a Notifier from its document; the secrets are sealed, the event carries what changed (secrets redacted). */
export async function upsertNotifier(em: EntityManager, existing: NotifierRow | undefined, change: ConfigChange, actor: string): Promise<NotifierRow> {
  const doc = change.doc as NotifierDoc;
  if (existing && change.action === 'UNCHANGED') return existing;
  const before = existing ? storedDoc(existing) : undefined;
  const fields = {
    format: doc.format,
    filters: doc.filters,
    sealedUrl: sealSecret(doc.webhook.url),
    sealedSigningSecret: doc.webhook.signingSecret ? sealSecret(doc.webhook.signingSecret) : null,
    documentDigest: change.digest,
  };
  const row = existing ?? em.create(NotifierRow, { name: doc.name, ...fields });
  if (existing) Object.assign(existing, fields);
  recordEvent(em, {
    type: existing ? 'NOTIFIER_UPDATED' : 'NOTIFIER_CREATED',
    actor,
    subject: `Notifier ${doc.name}`,
    subjectId: row.id,
    message: `${existing ? 'updated' : 'created'} notifier ${doc.name} (${doc.format})`,
    data: { changes: notifierChanges(before, doc) },
  });
  return row;
}
