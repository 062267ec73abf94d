import type { EntityManager } from '@mikro-orm/core';
import { sameIntent } from '../compiler/index.js';
import type { CompiledChannelState, RuntimeDoc } from '../compiler/types.js';
import { UserErrors } from '../domain/user-error.js';
import { ApplicationRow, ReleaseRow, ServiceRow, type EventRow } from '../store/entities/index.js';
import { compileForChannels, writeRelease } from './release-writer.js';

export interface ConfigReleasePlan {
  service: ServiceRow;
  latest: ReleaseRow;
  states: Map<string, CompiledChannelState>;
  /** Channels whose compiled intent differs from the latest release's (new channels included). */
  changedChannels: string[];
}

/**
 * Which services a config change touches: for every service of the application that has a
 * release, the latest release's parameters compiled against the new config, and the channels
 * where that differs from what the latest release says. Reads only.
 */
export async function planConfigReleases(em: EntityManager, app: ApplicationRow, runtimes: RuntimeDoc[], services?: ServiceRow[]): Promise<ConfigReleasePlan[]> {
  const plans: ConfigReleasePlan[] = [];
  for (const service of services ?? (await em.find(ServiceRow, { applicationId: app.id }, { orderBy: { name: 'asc' } }))) {
    const latest = await em.findOne(ReleaseRow, { serviceId: service.id }, { orderBy: { number: 'desc' } });
    if (!latest) continue; // nothing released yet: the next createRelease compiles the new config
    let states: Map<string, CompiledChannelState>;
    try {
      states = compileForChannels(app, service, runtimes, latest.params);
    } catch (err) {
      if (!(err instanceof UserErrors)) throw err;
      throw new UserErrors(err.errors.map((e) => ({ ...e, message: `Service ${service.name}: its latest release ${latest.label} no longer compiles with this config: ${e.message}` })));
    }
    const changedChannels = [...states].filter(([channel, state]) => {
      const before = latest.states[channel];
      return !before || !sameIntent(before, state);
    }).map(([channel]) => channel);
    if (changedChannels.length) plans.push({ service, latest, states, changedChannels });
  }
  return plans;
}

/**
 * After the config of an application changed: every service whose compiled state changed in any
 * channel gets a new release (the latest parameters, the new config, trigger CONFIG) that walks the
 * channels by the same rules as a new version. Nothing is re-rendered in place.
 */
export async function releaseConfigChanges(em: EntityManager, applicationId: string, runtimes: RuntimeDoc[], actor: string): Promise<EventRow[]> {
  const app = await em.findOneOrFail(ApplicationRow, { id: applicationId });
  const events: EventRow[] = [];
  for (const plan of await planConfigReleases(em, app, runtimes)) {
    const { event } = await writeRelease(em, { app, service: plan.service, runtimes, params: plan.latest.params, states: plan.states, trigger: 'CONFIG', actor, basedOn: plan.latest });
    events.push(event);
  }
  return events;
}
