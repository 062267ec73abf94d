import type { EntityManager } from '@mikro-orm/core';
import { transact } from '../store/transact.js';
import { actorName, canSeeApplication, hasRight, isUnscoped, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ApprovalRow, ReleaseChannelRow, ReleaseRow, RuntimeRow, ServiceInstanceRow, ServiceRow } from '../store/entities/index.js';

export type DeleteOutcome = { deletedId: string; userErrors: [] } | { deletedId?: undefined; userErrors: UserErrorData[] };

/** What ran where, so the engine can ask the runtime plugins to remove it after the rows are gone. */
export interface RemovedInstance {
  instanceId: string;
  application: string;
  channel: string;
  service: string;
  runtime: string;
  plugin: string;
  config: Record<string, unknown>;
}

/** Runs a delete in a transaction, turning UserErrors into the payload's userErrors. */
async function guarded(em: EntityManager, work: (em: EntityManager) => Promise<string>): Promise<DeleteOutcome> {
  try {
    return { deletedId: await transact(em, work), userErrors: [] };
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

/** Deletes an application with its channels, services, releases and instances. History stays. */
export async function deleteApplication(
  rootEm: EntityManager,
  viewer: Viewer,
  name: string,
  expectedVersion?: number | null,
  removed: RemovedInstance[] = [],
): Promise<DeleteOutcome> {
  if (!hasRight(viewer, 'config:write')) return { userErrors: [userError('FORBIDDEN', `role ${viewer.role} cannot delete applications`, ['name'])] };
  if (!canSeeApplication(viewer, name)) return { userErrors: [userError('NOT_FOUND', `unknown application "${name}"`, ['name'])] };
  return guarded(rootEm, async (em) => {
    const app = await em.findOne(ApplicationRow, { name });
    if (!app) throw new UserErrors([userError('NOT_FOUND', `unknown application "${name}"`, ['name'])]);
    checkVersion(app, expectedVersion, `application ${name}`);
    removed.push(...(await instancesOf(em, app)));
    for (const entity of [ServiceInstanceRow, ApprovalRow, ReleaseRow, ServiceRow, ReleaseChannelRow] as const) {
      await em.nativeDelete(entity, { applicationId: app.id });
    }
    em.remove(app);
    recordEvent(em, { type: 'APPLICATION_DELETED', actor: actorName(viewer), applicationId: app.id, subject: `Application ${name}`, subjectId: app.id, message: `deleted application ${name}` });
    return app.id;
  });
}

/** Refused while any release channel runs on the runtime. */
export async function deleteRuntime(rootEm: EntityManager, viewer: Viewer, name: string, expectedVersion?: number | null): Promise<DeleteOutcome> {
  if (!hasRight(viewer, 'config:write') || !isUnscoped(viewer)) {
    return { userErrors: [userError('FORBIDDEN', 'deleting a runtime needs an admin token without an application scope', ['name'])] };
  }
  return guarded(rootEm, async (em) => {
    const runtime = await em.findOne(RuntimeRow, { name });
    if (!runtime) throw new UserErrors([userError('NOT_FOUND', `unknown runtime "${name}"`, ['name'])]);
    checkVersion(runtime, expectedVersion, `runtime ${name}`);
    const users = await em.find(ReleaseChannelRow, { runtimeId: runtime.id });
    if (users.length) {
      const apps = new Map((await em.find(ApplicationRow, { id: { $in: users.map((c) => c.applicationId) } })).map((a) => [a.id, a.name]));
      const list = users.map((c) => `${apps.get(c.applicationId)}/${c.name}`).sort().join(', ');
      throw new UserErrors([userError('IN_USE', `runtime ${name} is used by release channels ${list}; move or delete them first`, ['name'])]);
    }
    em.remove(runtime);
    recordEvent(em, { type: 'RUNTIME_DELETED', actor: actorName(viewer), subject: `Runtime ${name}`, subjectId: runtime.id, message: `deleted runtime ${name}` });
    return runtime.id;
  });
}

async function instancesOf(em: EntityManager, app: ApplicationRow): Promise<RemovedInstance[]> {
  const [instances, channels, services] = await Promise.all([
    em.find(ServiceInstanceRow, { applicationId: app.id }),
    em.find(ReleaseChannelRow, { applicationId: app.id }),
    em.find(ServiceRow, { applicationId: app.id }),
  ]);
  const runtimes = new Map((await em.find(RuntimeRow, { id: { $in: channels.map((c) => c.runtimeId) } })).map((r) => [r.id, r]));
  const channelById = new Map(channels.map((c) => [c.id, c]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  return instances.flatMap((i) => {
    const channel = channelById.get(i.channelId);
    const runtime = channel && runtimes.get(channel.runtimeId);
    const service = serviceById.get(i.serviceId);
    if (!channel || !runtime || !service || !i.targetReleaseId) return []; // nothing ever ran there
    return [{ instanceId: i.id, application: app.name, channel: channel.name, service: service.name, runtime: runtime.name, plugin: runtime.plugin, config: runtime.config }];
  });
}
