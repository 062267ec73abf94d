import type { EntityManager } from '@mikro-orm/core';
import { compileRelease } from '../compiler/index.js';
import type { CompiledChannelState, RuntimeDoc } from '../compiler/types.js';
import { recordEvent } from '../domain/events.js';
import { UserErrors } from '../domain/user-error.js';
import { ApplicationRow, ReleaseChannelRow, ReleaseRow, ServiceInstanceRow, ServiceRow } from '../store/entities/index.js';
import { diagnosticsToUserErrors } from './diagnostics.js';
import { setDesiredState } from './instance-intent.js';

/** Compiles one release for every channel, keyed by channel name; user errors on failure. */
export function compileForChannels(app: ApplicationRow, service: ServiceRow, runtimes: RuntimeDoc[], params: Record<string, unknown>): Map<string, CompiledChannelState> {
  const result = compileRelease({ application: app.document, service: service.document, runtimes, params });
  if (!result.ok) throw new UserErrors(diagnosticsToUserErrors(result.diagnostics, 'params'));
  return new Map(result.value.map((s) => [s.channel, s]));
}

/**
 * After the config of an application changed, re-renders the desired state of every instance that
 * has a desired release, so the engine converges on the new intent (e.g. more replicas).
 */
export async function recompileInstances(em: EntityManager, applicationId: string, runtimes: RuntimeDoc[], actor: string): Promise<void> {
  const app = await em.findOneOrFail(ApplicationRow, { id: applicationId });
  const [services, channels, instances] = await Promise.all([
    em.find(ServiceRow, { applicationId }),
    em.find(ReleaseChannelRow, { applicationId }),
    em.find(ServiceInstanceRow, { applicationId, desiredReleaseId: { $ne: null } }),
  ]);
  if (instances.length === 0) return;
  const releases = await em.find(ReleaseRow, { id: { $in: [...new Set(instances.map((i) => i.desiredReleaseId!))] } });
  const releaseById = new Map(releases.map((r) => [r.id, r]));
  const channelById = new Map(channels.map((c) => [c.id, c]));
  const compiled = new Map<string, Map<string, CompiledChannelState>>();
  for (const instance of instances) {
    const service = services.find((s) => s.id === instance.serviceId);
    const channel = channelById.get(instance.channelId);
    const release = releaseById.get(instance.desiredReleaseId!);
    if (!service || !channel || !release) continue;
    const key = `${service.id}/${release.id}`;
    if (!compiled.has(key)) {
      try {
        compiled.set(key, compileForChannels(app, service, runtimes, release.params));
      } catch (err) {
        if (!(err instanceof UserErrors)) throw err;
        const prefixed = err.errors.map((e) => ({ ...e, message: `Service ${service.name} release #${release.number} no longer compiles: ${e.message}` }));
        throw new UserErrors(prefixed);
      }
    }
    const state = compiled.get(key)!.get(channel.name);
    if (!state || state.digest === instance.desiredState?.digest) continue;
    await setDesiredState(em, instance.id, release.id, state, Date.now());
    recordEvent(em, {
      type: 'INSTANCE_DESIRED_CHANGED',
      actor,
      applicationId,
      subject: `ServiceInstance ${app.name}/${channel.name}/${service.name}`,
      subjectId: instance.id,
      message: `config change re-rendered the desired state of ${service.name} in ${channel.name} (release #${release.number})`,
      data: { digest: state.digest },
    });
  }
}
