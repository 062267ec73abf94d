import { OptimisticLockError, type EntityManager } from '@mikro-orm/core';
import { transact } from '../store/transact.js';
import { actorName, canSeeApplication, hasRight, type Viewer } from '../auth/viewer.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ReleaseRow, ServiceRow, type EventRow } from '../store/entities/index.js';
import { isNumberingRace, lockForNumbering } from './release-lock.js';
import { compileForChannels, writeRelease } from './release-writer.js';
import { loadStoredConfig, runtimeDoc } from './stored-config.js';

export interface CreateReleaseInput {
  application: string;
  service: string;
  params: Record<string, unknown>;
}

export type CreateReleaseOutcome = { release: ReleaseRow; events: EventRow[]; userErrors: [] } | { release?: undefined; events?: undefined; userErrors: UserErrorData[] };

/**
 * The user's intent "deliver this everywhere, by the rules": compiles the parameters against the
 * current config for every channel and points every instance of the service at the new release,
 * in one transaction.
 */
export async function createRelease(rootEm: EntityManager, viewer: Viewer, input: CreateReleaseInput): Promise<CreateReleaseOutcome> {
  if (!hasRight(viewer, 'release:write')) {
    return { userErrors: [userError('FORBIDDEN', `role ${viewer.role} cannot create releases`, ['application'])] };
  }
  if (!canSeeApplication(viewer, input.application)) {
    return { userErrors: [userError('NOT_FOUND', `unknown application "${input.application}"`, ['application'])] };
  }
  if (typeof input.params !== 'object' || input.params === null || Array.isArray(input.params)) {
    return { userErrors: [userError('INVALID_INPUT', 'params must be a JSON object of parameter values, e.g. {"version": "v2"}', ['params'])] };
  }
  try {
    const events: EventRow[] = [];
    const release = await transact(rootEm, async (em) => {
      const app = await em.findOne(ApplicationRow, { name: input.application });
      if (!app) throw new UserErrors([userError('NOT_FOUND', `unknown application "${input.application}"`, ['application'])]);
      const service = await em.findOne(ServiceRow, { applicationId: app.id, name: input.service }, lockForNumbering(em));
      if (!service) throw new UserErrors([userError('NOT_FOUND', `application ${app.name} has no service "${input.service}"`, ['service'])]);
      const runtimes = [...(await loadStoredConfig(em)).runtimes.values()].map(runtimeDoc);
      const states = compileForChannels(app, service, runtimes, input.params);
      const params = states.values().next().value?.params ?? {};
      const basedOn = await em.findOne(ReleaseRow, { serviceId: service.id }, { orderBy: { number: 'desc' } });
      const { release, event } = await writeRelease(em, { app, service, runtimes, params, states, trigger: 'VERSION', actor: actorName(viewer), basedOn });
      events.push(event);
      return release;
    });
    return { release, events, userErrors: [] };
  } catch (err) {
    if (err instanceof UserErrors) return { userErrors: err.errors };
    if (err instanceof OptimisticLockError || isNumberingRace(err)) {
      return { userErrors: [userError('STALE', `another release of ${input.service} was created at the same moment; create yours again`, ['service'])] };
    }
    throw err;
  }
}
