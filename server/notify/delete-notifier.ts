import type { EntityManager } from '@mikro-orm/core';
import { actorName, hasRight, isUnscoped, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, type UserErrorData } from '../domain/user-error.js';
import { NotifierRow } from '../store/entities/index.js';
import { transact } from '../store/transact.js';

/** Deletes a notifier; its pending deliveries fail at their next attempt ("the notifier was deleted"). */
export async function deleteNotifier(rootEm: EntityManager, viewer: Viewer, name: string): Promise<{ deletedId: string | null; userErrors: UserErrorData[] }> {
  if (!hasRight(viewer, 'config:write') || !isUnscoped(viewer)) return { deletedId: null, userErrors: [userError('FORBIDDEN', 'notifiers are shared: deleting one needs an admin token without an application scope', ['name'])] };
  return transact(rootEm, async (em) => {
    const row = await em.findOne(NotifierRow, { name });
    if (!row) return { deletedId: null, userErrors: [userError('NOT_FOUND', `no notifier "${name}"`, ['name'])] };
    recordEvent(em, { type: 'NOTIFIER_DELETED', actor: actorName(viewer), subject: `Notifier ${name}`, subjectId: row.id, message: `deleted notifier ${name}` });
    em.remove(row);
    return { deletedId: row.id, userErrors: [] };
  });
}
