import { OptimisticLockError, type EntityManager } from '@mikro-orm/core';
import { actorName, canSeeApplication, hasRight, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ReleaseGroupRow, ReleaseRow, ServiceRow, type EventRow, type GroupMember } from '../store/entities/index.js';
import { transact } from '../store/transact.js';
import { isNumberingRace, lockForNumbering } from './release-lock.js';
import { compileForChannels, writeRelease } from './release-writer.js';
import { loadStoredConfig, runtimeDoc } from './stored-config.js';

export interface GroupReleaseInput {
  application: string;
  services: { service: string; params: Record<string, unknown> }[];
}

export type GroupReleaseOutcome = { group: ReleaseGroupRow; releases: ReleaseRow[]; events: EventRow[]; userErrors: [] } | { group?: undefined; releases?: undefined; events?: undefined; userErrors: UserErrorData[] };

/**
 * One release of several services of an application, moving through the channels together: each
 * member is an ordinary immutable release of its service (with the group's id), and the group keeps
 * them in service order (a service after the ones it `dependsOn`). All members are created in one
 * transaction, or none.
 */
export async function createGroupRelease(rootEm: EntityManager, viewer: Viewer, input: GroupReleaseInput): Promise<GroupReleaseOutcome> {
  if (!hasRight(viewer, 'release:write')) return { userErrors: [userError('FORBIDDEN', `role ${viewer.role} cannot create releases`, ['application'])] };
  if (!canSeeApplication(viewer, input.application)) return { userErrors: [userError('NOT_FOUND', `unknown application "${input.application}"`, ['application'])] };
  const names = input.services.map((s) => s.service);
  if (names.length < 2) return { userErrors: [userError('INVALID_INPUT', 'a release of several services needs at least two; for one, give service and params', ['services'])] };
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) return { userErrors: [userError('INVALID_INPUT', `service ${twice} is listed twice`, ['services'])] };
  try {
    const events: EventRow[] = [];
    const { group, releases } = await transact(rootEm, async (em) => {
      const app = await em.findOne(ApplicationRow, { name: input.application });
      if (!app) throw new UserErrors([userError('NOT_FOUND', `unknown application "${input.application}"`, ['application'])]);
      const rows = await em.find(ServiceRow, { applicationId: app.id, name: { $in: names } }, { ...lockForNumbering(em), orderBy: { id: 'asc' } });
      const missing = names.filter((n) => !rows.some((r) => r.name === n));
      if (missing.length) throw new UserErrors(missing.map((n) => userError('NOT_FOUND', `application ${app.name} has no service "${n}"`, ['services', String(names.indexOf(n)), 'service'])));
      const ordered = serviceOrder(rows);
      const runtimes = [...(await loadStoredConfig(em)).runtimes.values()].map(runtimeDoc);
      const actor = actorName(viewer);
      const group = em.create(ReleaseGroupRow, { applicationId: app.id, label: '', members: [], createdBy: actor });
      const members: GroupMember[] = [];
      const releases: ReleaseRow[] = [];
      for (const service of ordered) {
        const wanted = input.services.find((s) => s.service === service.name)!;
        let states;
        try {
          states = compileForChannels(app, service, runtimes, wanted.params);
        } catch (err) {
          if (!(err instanceof UserErrors)) throw err;
          throw new UserErrors(err.errors.map((e) => ({ ...e, path: ['services', String(names.indexOf(service.name)), ...e.path] })));
        }
        const params = states.values().next().value?.params ?? {};
        const basedOn = await em.findOne(ReleaseRow, { serviceId: service.id }, { orderBy: { number: 'desc' } });
        const { release, event } = await writeRelease(em, { app, service, runtimes, params, states, trigger: 'VERSION', actor, basedOn, groupId: group.id });
        members.push({ serviceId: service.id, service: service.name, releaseId: release.id });
        releases.push(release);
        events.push(event);
      }
      group.members = members;
      group.label = members.map((m, i) => `${m.service} ${releases[i]!.label}`).join(' + ');
      events.push(
        recordEvent(em, {
          type: 'RELEASE_CREATED',
          actor,
          applicationId: app.id,
          subject: `ReleaseGroup ${app.name}/${group.label}`,
          subjectId: group.id,
          message: `release ${group.label} created: these services go through every channel together, in this order`,
          data: { group: group.id, members: members.map((m) => m.service) },
        }),
      );
      return { group, releases };
    });
    return { group, releases, events, userErrors: [] };
  } catch (err) {
    if (err instanceof UserErrors) return { userErrors: err.errors };
    if (err instanceof OptimisticLockError || isNumberingRace(err)) return { userErrors: [userError('STALE', 'another release of one of these services was created at the same moment; create yours again', ['services'])] };
    throw err;
  }
}

/** Members in service order: each after the members it dependsOn (a cycle among them is an error). */
export function serviceOrder(rows: ServiceRow[]): ServiceRow[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const out: ServiceRow[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (row: ServiceRow, path: string[]): void => {
    if (state.get(row.name) === 'done') return;
    if (state.get(row.name) === 'visiting') throw new UserErrors([userError('INVALID_INPUT', `the services depend on each other in a circle: ${[...path, row.name].join(' → ')}`, ['services'])]);
    state.set(row.name, 'visiting');
    for (const dep of row.document.dependsOn ?? []) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, row.name]);
    }
    state.set(row.name, 'done');
    out.push(row);
  };
  for (const row of [...rows].sort((a, b) => a.name.localeCompare(b.name))) visit(row, []);
  return out;
}
