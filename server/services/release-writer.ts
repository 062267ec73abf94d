import type { EntityManager } from '@mikro-orm/core';
import { compileRelease, describeChange, diffStates } from '../compiler/index.js';
import type { CompiledChannelState, RuntimeDoc } from '../compiler/types.js';
import type { FieldChange } from '../compiler/state-diff.js';
import { recordEvent } from '../domain/events.js';
import { UserErrors } from '../domain/user-error.js';
import { ReleaseChannelRow, ReleaseRow, ServiceInstanceRow, type ApplicationRow, type EventRow, type ReleaseTrigger, type ServiceRow } from '../store/entities/index.js';
import { diagnosticsToUserErrors } from './diagnostics.js';
import { setDesiredState } from './instance-intent.js';

/** Compiles one release for every channel, keyed by channel name; user errors on failure. */
export function compileForChannels(app: ApplicationRow, service: ServiceRow, runtimes: RuntimeDoc[], params: Record<string, unknown>): Map<string, CompiledChannelState> {
  const result = compileRelease({ application: app.document, service: service.document, runtimes, params });
  if (!result.ok) throw new UserErrors(diagnosticsToUserErrors(result.diagnostics, 'params'));
  return new Map(result.value.map((s) => [s.channel, s]));
}

export interface NewRelease {
  app: ApplicationRow;
  service: ServiceRow;
  runtimes: RuntimeDoc[];
  params: Record<string, string | number>;
  states: Map<string, CompiledChannelState>;
  trigger: ReleaseTrigger;
  actor: string;
  /** The service's newest release before this one, if any: what `changes` compares with. */
  basedOn: ReleaseRow | null;
  /** Set for a member of a multi-service release. */
  groupId?: string;
}

/**
 * Writes a new immutable release and points every instance of the service at it, in the caller's
 * transaction: the only way intent reaches the instances. The version column of the service row
 * makes two concurrent writers conflict instead of taking the same number.
 */
export async function writeRelease(em: EntityManager, input: NewRelease): Promise<{ release: ReleaseRow; event: EventRow }> {
  const { app, service, states, basedOn } = input;
  service.releaseCount += 1;
  const number = service.releaseCount;
  const changes: Record<string, FieldChange[]> = {};
  for (const [channel, state] of states) changes[channel] = diffStates(basedOn?.states[channel], state);
  const label = await uniqueLabel(em, service.id, baseLabel(input.params, number, input.trigger, app.configGeneration), number);
  const usedRuntimes = new Set([...states.values()].map((s) => s.runtime));
  const release = em.create(ReleaseRow, {
    serviceId: service.id,
    applicationId: app.id,
    number,
    params: input.params,
    createdBy: input.actor,
    trigger: input.trigger,
    label,
    configGeneration: app.configGeneration,
    states: Object.fromEntries(states),
    changes,
    basedOnReleaseId: basedOn?.id ?? null,
    groupId: input.groupId ?? null,
    configSnapshot: {
      application: app.document,
      service: service.document,
      runtimes: input.runtimes.filter((r) => usedRuntimes.has(r.name)).map((r) => ({ name: r.name, plugin: r.plugin, labels: r.labels })),
    },
  });
  // One after another: inside a transaction they share one connection.
  const channels = await em.find(ReleaseChannelRow, { applicationId: app.id });
  const instances = await em.find(ServiceInstanceRow, { serviceId: service.id });
  await em.flush(); // the release row first: instances point at it
  const channelById = new Map(channels.map((c) => [c.id, c]));
  const now = Date.now();
  for (const instance of instances) {
    const channel = channelById.get(instance.channelId);
    const state = channel && states.get(channel.name);
    if (state) await setDesiredState(em, instance.id, release.id, state, now, label);
  }
  const event = recordEvent(em, {
    type: 'RELEASE_CREATED',
    actor: input.actor,
    applicationId: app.id,
    subject: `Release ${app.name}/${service.name}#${number}`,
    subjectId: release.id,
    message: createdMessage(release, service.name),
    data: { params: input.params, trigger: input.trigger, label, configGeneration: app.configGeneration },
  });
  return { release, event };
}

/** `v2` for a new version; `v2 · config 5` for the config change released on top of v2. */
export function baseLabel(params: Record<string, string | number>, number: number, trigger: ReleaseTrigger, generation: number): string {
  const version = params.version !== undefined && params.version !== '' ? String(params.version) : `#${number}`;
  return trigger === 'CONFIG' ? `${version} · config ${generation}` : version;
}

/** Labels are unique per service: a repeated one gets the release number. */
async function uniqueLabel(em: EntityManager, serviceId: string, base: string, number: number): Promise<string> {
  const taken = await em.count(ReleaseRow, { serviceId, label: base });
  return taken === 0 ? base : `${base} · #${number}`;
}

function createdMessage(release: ReleaseRow, serviceName: string): string {
  if (release.trigger === 'VERSION') return `release ${release.label} of ${serviceName} created with ${describeParams(release.params)}`;
  return `config change released as ${release.label} of ${serviceName}: ${summarizeChanges(release.changes).join('; ') || 'no field changed'}`;
}

export function describeParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'no parameters';
}

/**
 * One line per distinct change with the channels it applies to, e.g.
 * `env.LOG_LEVEL: info → debug (staging, production)`; channels with no change are left out.
 */
export function summarizeChanges(changes: Record<string, FieldChange[]>): string[] {
  const channelsOf = new Map<string, string[]>();
  for (const [channel, list] of Object.entries(changes)) {
    for (const change of list) {
      const line = describeChange(change);
      channelsOf.set(line, [...(channelsOf.get(line) ?? []), channel]);
    }
  }
  const total = Object.keys(changes).length;
  return [...channelsOf].map(([line, channels]) => (channels.length === total && total > 1 ? `${line} (every channel)` : `${line} (${channels.join(', ')})`));
}
