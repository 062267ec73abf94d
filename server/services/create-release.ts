import { OptimisticLockError, type EntityManager } from '@mikro-orm/core';
import { transact } from '../store/transact.js';
import { actorName, canSeeApplication, hasRight, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ReleaseChannelRow, ReleaseRow, ServiceInstanceRow, ServiceRow, type EventRow } from '../store/entities/index.js';
import { compileForChannels } from './desired-state.js';
import { setDesiredState } from './instance-intent.js';
import { loadStoredConfig, runtimeDoc } from './stored-config.js';

export interface CreateReleaseInput {
  application: string;
  service: string;
  params: Record<string, unknown>;
}

export type CreateReleaseOutcome = { release: ReleaseRow; events: EventRow[]; userErrors: [] } | { release?: undefined; events?: undefined; userErrors: UserErrorData[] };

/**
 * The user's intent "deliver this everywhere, by the rules": compiles the parameters for every
 * channel and points every instance of the service at the new release, in one transaction.
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
      const service = await em.findOne(ServiceRow, { applicationId: app.id, name: input.service });
      if (!service) throw new UserErrors([userError('NOT_FOUND', `application ${app.name} has no service "${input.service}"`, ['service'])]);
      const stored = await loadStoredConfig(em);
      const compiled = compileForChannels(app, service, [...stored.runtimes.values()].map(runtimeDoc), input.params);
      const params = compiled.values().next().value?.params ?? {};

      // The version column makes two concurrent createRelease calls for one service conflict
      // instead of both taking the same number.
      service.releaseCount += 1;
      const actor = actorName(viewer);
      const release = em.create(ReleaseRow, { serviceId: service.id, applicationId: app.id, number: service.releaseCount, params, createdBy: actor });
      const [channels, instances] = await Promise.all([
        em.find(ReleaseChannelRow, { applicationId: app.id }),
        em.find(ServiceInstanceRow, { serviceId: service.id }),
      ]);
      const channelById = new Map(channels.map((c) => [c.id, c]));
      await em.flush(); // the release row first: instances point at it
      const now = Date.now();
      for (const instance of instances) {
        const channel = channelById.get(instance.channelId);
        const state = channel && compiled.get(channel.name);
        if (state) await setDesiredState(em, instance.id, release.id, state, now);
      }
      events.push(recordEvent(em, {
        type: 'RELEASE_CREATED',
        actor,
        applicationId: app.id,
        subject: `Release ${app.name}/${service.name}#${release.number}`,
        subjectId: release.id,
        message: `release #${release.number} of ${service.name} created with ${describeParams(params)}`,
        data: { params },
      }));
      return release;
    });
    return { release, events, userErrors: [] };
  } catch (err) {
    if (err instanceof UserErrors) return { userErrors: err.errors };
    if (err instanceof OptimisticLockError) {
      return { userErrors: [userError('STALE', `another release of ${input.service} was created at the same moment; create yours again`, ['service'])] };
    }
    throw err;
  }
}

export function describeParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'no parameters';
}
