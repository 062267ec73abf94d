import type { EntityManager } from '@mikro-orm/core';
import { transact } from '../store/transact.js';
import { actorName, canSeeApplication, hasRight, isUnscoped, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ApprovalRow, GateBypassRow, PendingRemovalRow, ReleaseChannelRow, ReleaseRow, RuntimeRow, ServiceInstanceRow, ServiceRow } from '../store/entities/index.js';
import { removeInstances } from './removal-intents.js';

export type DeleteOutcome = { deletedId: string; removals: number; userErrors: [] } | { deletedId?: undefined; removals?: undefined; userErrors: UserErrorData[] };

/** Runs a delete in a transaction, turning UserErrors into the payload's userErrors. */
async function guarded(em: EntityManager, work: (em: EntityManager) => Promise<{ id: string; removals: number }>): Promise<DeleteOutcome> {
  try {
    const { id, removals } = await transact(em, work);
    return { deletedId: id, removals, userErrors: [] };
  } catch (err) {
    if (err instanceof UserErrors) return { userErrors: err.errors };
    throw err;
  }
}

function checkVersion(row: { version: number }, expected: number | undefined | null, what: string): void {
  if (expected !== undefined && expected !== null && row.version !== expected) {
    throw new UserErrors([userError('STALE', `${what} is at version ${row.version}, not ${expected}: someone changed it since you read it; reload and retry`, ['expectedVersion'])]);
  }
}

/**
 * Deletes an application with its channels, services, releases and instances. History stays. What
 * ran is removed through the runtime plugins, durably: the intent is written in this transaction.
 */
export async function deleteApplication(rootEm: EntityManager, viewer: Viewer, name: string, expectedVersion?: number | null): Promise<DeleteOutcome> {
  if (!hasRight(viewer, 'config:write')) return { userErrors: [userError('FORBIDDEN', `role ${viewer.role} cannot delete applications`, ['name'])] };
  if (!canSeeApplication(viewer, name)) return { userErrors: [userError('NOT_FOUND', `unknown application "${name}"`, ['name'])] };
  return guarded(rootEm, async (em) => {
    const app = await em.findOne(ApplicationRow, { name });
    if (!app) throw new UserErrors([userError('NOT_FOUND', `unknown application "${name}"`, ['name'])]);
    checkVersion(app, expectedVersion, `application ${name}`);
    const actor = actorName(viewer);
    const { pending } = await removeInstances(em, await em.find(ServiceInstanceRow, { applicationId: app.id }), 'APPLICATION_DELETED', actor);
    for (const entity of [ServiceInstanceRow, ApprovalRow, GateBypassRow, ReleaseRow, ServiceRow, ReleaseChannelRow] as const) {
      await em.nativeDelete(entity, { applicationId: app.id });
    }
    em.remove(app);
    recordEvent(em, { type: 'APPLICATION_DELETED', actor, applicationId: app.id, subject: `Application ${name}`, subjectId: app.id, message: `deleted application ${name}${pending ? `; removing ${pending} workload${pending === 1 ? '' : 's'} from their runtimes` : ''}` });
    return { id: app.id, removals: pending };
  });
}

/** Deletes one service of an application with its releases and instances; its workloads are removed. */
export async function deleteService(rootEm: EntityManager, viewer: Viewer, application: string, name: string, expectedVersion?: number | null): Promise<DeleteOutcome> {
  if (!hasRight(viewer, 'config:write')) return { userErrors: [userError('FORBIDDEN', `role ${viewer.role} cannot delete services`, ['name'])] };
  if (!canSeeApplication(viewer, application)) return { userErrors: [userError('NOT_FOUND', `unknown application "${application}"`, ['application'])] };
  return guarded(rootEm, async (em) => {
    const app = await em.findOne(ApplicationRow, { name: application });
    if (!app) throw new UserErrors([userError('NOT_FOUND', `unknown application "${application}"`, ['application'])]);
    const service = await em.findOne(ServiceRow, { applicationId: app.id, name });
    if (!service) throw new UserErrors([userError('NOT_FOUND', `application ${app.name} has no service "${name}"`, ['name'])]);
    checkVersion(service, expectedVersion, `service ${application}/${name}`);
    const actor = actorName(viewer);
    const { pending } = await removeInstances(em, await em.find(ServiceInstanceRow, { serviceId: service.id }), 'SERVICE_DELETED', actor);
    const releaseIds = (await em.find(ReleaseRow, { serviceId: service.id }, { fields: ['id'] })).map((r) => r.id);
    if (releaseIds.length) {
      await em.nativeDelete(ApprovalRow, { releaseId: { $in: releaseIds } });
      await em.nativeDelete(GateBypassRow, { releaseId: { $in: releaseIds } });
    }
    await em.nativeDelete(ReleaseRow, { serviceId: service.id });
    em.remove(service);
    recordEvent(em, {
      type: 'SERVICE_DELETED',
      actor,
      applicationId: app.id,
      subject: `Service ${app.name}/${name}`,
      subjectId: service.id,
      message: `deleted service ${name} from ${app.name}${pending ? `; removing it from ${pending} channel${pending === 1 ? '' : 's'}` : ''}`,
    });
    return { id: service.id, removals: pending };
  });
}

/**
 * Refused while a channel written into an application runs on the runtime. Channels that groups
 * generated for it go with it (their workloads are removed first, durably): the runtime is retired
 * now and deleted once the last of them is gone.
 */
export async function deleteRuntime(rootEm: EntityManager, viewer: Viewer, name: string, expectedVersion?: number | null): Promise<DeleteOutcome> {
  if (!hasRight(viewer, 'config:write') || !isUnscoped(viewer)) {
    return { userErrors: [userError('FORBIDDEN', 'deleting a runtime needs an admin token without an application scope', ['name'])] };
  }
  return guarded(rootEm, async (em) => {
    const runtime = await em.findOne(RuntimeRow, { name, retiredAt: null });
    if (!runtime) throw new UserErrors([userError('NOT_FOUND', `unknown runtime "${name}"`, ['name'])]);
    checkVersion(runtime, expectedVersion, `runtime ${name}`);
    const users = await em.find(ReleaseChannelRow, { runtimeId: runtime.id });
    const written = users.filter((c) => !c.document.group);
    if (written.length) {
      const apps = new Map((await em.find(ApplicationRow, { id: { $in: written.map((c) => c.applicationId) } })).map((a) => [a.id, a.name]));
      const list = written.map((c) => `${apps.get(c.applicationId)}/${c.name}`).sort().join(', ');
      throw new UserErrors([userError('IN_USE', `runtime ${name} is used by release channels ${list}; move or delete them first`, ['name'])]);
    }
    const actor = actorName(viewer);
    let pending = 0;
    for (const channel of users) {
      const app = await em.findOneOrFail(ApplicationRow, { id: channel.applicationId });
      pending += (await removeInstances(em, await em.find(ServiceInstanceRow, { channelId: channel.id }), 'CHANNEL_REMOVED', actor)).pending;
      recordEvent(em, { type: 'CHANNEL_REMOVED', actor, applicationId: app.id, subject: `ReleaseChannel ${app.name}/${channel.name}`, subjectId: channel.id, message: `removed channel ${channel.name} from ${app.name} (generated by group ${channel.document.group} for runtime ${name}, which is being deleted)`, data: { channel: channel.name } });
      em.remove(channel);
    }
    if (pending) {
      runtime.retiredAt = new Date();
      recordEvent(em, { type: 'RUNTIME_UPDATED', actor, subject: `Runtime ${name}`, subjectId: runtime.id, message: `runtime ${name} is retired: it is deleted once ${pending} workload${pending === 1 ? '' : 's'} of the channels generated for it ${pending === 1 ? 'is' : 'are'} removed` });
      return { id: runtime.id, removals: pending };
    }
    const removing = await em.count(PendingRemovalRow, { runtime: name });
    if (removing) throw new UserErrors([userError('IN_USE', `runtime ${name} still has ${removing} workload${removing === 1 ? '' : 's'} being removed from it; try again when they are gone`, ['name'])]);
    em.remove(runtime);
    recordEvent(em, { type: 'RUNTIME_DELETED', actor: actorName(viewer), subject: `Runtime ${name}`, subjectId: runtime.id, message: `deleted runtime ${name}` });
    return { id: runtime.id, removals: 0 };
  });
}
