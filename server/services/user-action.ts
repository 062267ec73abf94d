import type { EntityManager } from '@mikro-orm/core';
import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import { canSeeApplication, hasRight, type Viewer } from '../auth/viewer.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ReleaseChannelRow, ServiceRow, type EventRow } from '../store/entities/index.js';
import { transact } from '../store/transact.js';

/** What a user action (approve, pause, rollback...) hands back: its result and the events it wrote. */
export type ActionOutcome<T> = { value: T; events: EventRow[]; userErrors: [] } | { value?: undefined; events: []; userErrors: UserErrorData[] };

/**
 * Runs `work` in one transaction. UserErrors thrown inside roll it back and become the payload's
 * userErrors. A unique-constraint race (two identical requests at once) is retried once: the
 * second run sees the first one's row and takes the idempotent path. A row someone else changed
 * meanwhile (optimistic lock) is a STALE user error, never a 500.
 */
export async function userAction<T>(rootEm: EntityManager, work: (em: EntityManager) => Promise<{ value: T; events: EventRow[] }>): Promise<ActionOutcome<T>> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { value, events } = await transact(rootEm, work);
      return { value, events, userErrors: [] };
    } catch (err) {
      if (err instanceof UserErrors) return { events: [], userErrors: err.errors };
      if (err instanceof UniqueConstraintViolationException && attempt === 0) continue;
      if (err instanceof OptimisticLockError) return { events: [], userErrors: [userError('STALE', 'someone changed this object at the same time; reload and retry', [])] };
      throw err;
    }
  }
}

/** The release:write right, or a FORBIDDEN user error naming what was refused. */
export function requireReleaseRight(viewer: Viewer, what: string, path: string[]): UserErrorData[] {
  return hasRight(viewer, 'release:write') ? [] : [userError('FORBIDDEN', `role ${viewer.role} cannot ${what}`, path)];
}

/** An application the token may see; out-of-scope ones look exactly like missing ones. */
export async function visibleApplicationNamed(em: EntityManager, viewer: Viewer, name: string, path: string[] = ['application']): Promise<ApplicationRow> {
  const app = canSeeApplication(viewer, name) ? await em.findOne(ApplicationRow, { name }) : null;
  if (!app) throw new UserErrors([userError('NOT_FOUND', `unknown application "${name}"`, path)]);
  return app;
}

export async function channelNamed(em: EntityManager, app: ApplicationRow, name: string, path: string[] = ['channel']): Promise<ReleaseChannelRow> {
  const channels = await em.find(ReleaseChannelRow, { applicationId: app.id }, { orderBy: { position: 'asc' } });
  const channel = channels.find((c) => c.name === name);
  if (!channel) {
    throw new UserErrors([userError('NOT_FOUND', `application ${app.name} has no channel "${name}"; its channels are ${channels.map((c) => c.name).join(', ') || 'none'}`, path)]);
  }
  return channel;
}

export async function serviceNamed(em: EntityManager, app: ApplicationRow, name: string, path: string[] = ['service']): Promise<ServiceRow> {
  const service = await em.findOne(ServiceRow, { applicationId: app.id, name });
  if (!service) throw new UserErrors([userError('NOT_FOUND', `application ${app.name} has no service "${name}"`, path)]);
  return service;
}
