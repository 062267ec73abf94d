import type { CompiledChannelState, CompiledGate } from '../server/compiler/types.js';
import { summarizeChanges } from '../server/services/release-writer.js';
import { summarizeGate } from '../server/engine/gates/summary.js';
import type { EventType } from '../server/domain/events.js';
import type { LiveEvent } from '../server/domain/live.js';
import type { PluginInfo } from '../server/plugin-host/index.js';
import type {
  ApiTokenRow,
  ApplicationRow,
  ApprovalRow,
  EventRow,
  ReleaseChannelRow,
  ReleaseGroupRow,
  ReleaseRow,
  RuntimeRow,
  ServiceInstanceRow,
  ServiceRow,
} from '../server/store/entities/index.js';
import {
  ApiToken,
  Application,
  desiredStateOf,
  DesiredState,
  Event,
  Gate,
  Release,
  ReleaseChannel,
  Runtime,
  Service,
  ServiceInstance,
  toGlobalId,
} from './types/domain.js';
import { Approval } from './types/approval.js';
import { ReleaseGroup } from './types/release-group.js';
import { RuntimePlugin } from './types/runtime-plugin.js';

/** Row → API object. API types are for readers; rows are for the store (STYLE 9). */

/**
 * A subclass of an API type whose `fields` are computed from `row` when read (and settable as
 * usual). For what costs more than a copy (release change summaries, compiled states, JSON
 * documents): a list of 500 instances asks for few of these, and lean rows
 * (schema/lean-rows.ts) do not even have the columns they come from. The getters live on the
 * prototype, so mapping a row defines nothing per object.
 */
function withLazyFields<T extends { row: object }>(Base: new () => T, fields: { [K in keyof T]?: (row: T['row']) => T[K] }): new () => T {
  const Lazy = class extends (Base as new () => object) {} as unknown as new () => T;
  for (const [key, compute] of Object.entries(fields) as [string, (row: object) => unknown][]) {
    Object.defineProperty(Lazy.prototype, key, {
      configurable: true,
      enumerable: true,
      get(this: T) {
        return compute(this.row);
      },
      set(this: T, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  return Lazy;
}

const LazyService = withLazyFields(Service, {
  parameters: (row) => row.document.parameters.map((p) => ({ ...p })),
  spec: (row) => row.document.spec,
  progressDeadline: (row) => row.document.progressDeadline,
});
const LazyRelease = withLazyFields(Release, { changeSummary: (row) => summarizeChanges(row.changes ?? {}) });
// Every field of an instance reads its row when read: a lean row (schema/lean-rows.ts) has only
// the columns its selection reads.
const LazyServiceInstance = withLazyFields(ServiceInstance, {
  status: (row) => row.status,
  statusSince: (row) => row.statusSince,
  reasons: (row) => row.reasons.map((r) => ({ code: r.code, message: r.message, since: new Date(r.since) })),
  paused: (row) => row.paused,
  convergedAt: (row) => row.convergedAt ?? null,
  version: (row) => row.version,
  updatedAt: (row) => row.updatedAt,
  desiredState: (row) => toDesiredState(row.desiredState),
  observed: (row) => row.observed ?? null,
});

export function toRuntime(row: RuntimeRow, redact: (plugin: string, config: Record<string, unknown>) => Record<string, unknown>): Runtime {
  return Object.assign(new Runtime(), {
    row,
    id: toGlobalId('Runtime', row.id),
    name: row.name,
    plugin: row.plugin,
    config: redact(row.plugin, row.config),
    labels: row.labels,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

export function toApplication(row: ApplicationRow): Application {
  return Object.assign(new Application(), { row, id: toGlobalId('Application', row.id), name: row.name, version: row.version, paused: row.paused, createdAt: row.createdAt, updatedAt: row.updatedAt });
}

export function toReleaseChannel(row: ReleaseChannelRow): ReleaseChannel {
  return Object.assign(new ReleaseChannel(), {
    row,
    id: toGlobalId('ReleaseChannel', row.id),
    name: row.name,
    position: row.position,
    dependsOn: row.document.dependsOn,
    constants: row.document.constants,
    env: row.document.env,
    gates: row.gates.map(toGate),
    paused: row.paused,
    version: row.version,
  });
}

export function toGate(gate: CompiledGate): Gate {
  const { type, ...settings } = gate;
  return Object.assign(new Gate(), { type, summary: summarizeGate(gate), settings });
}

export function toService(row: ServiceRow): Service {
  return Object.assign(new LazyService(), {
    row,
    id: toGlobalId('Service', row.id),
    name: row.name,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

export function toRelease(row: ReleaseRow): Release {
  return Object.assign(new LazyRelease(), {
    row,
    id: toGlobalId('Release', row.id),
    number: row.number,
    label: row.label,
    trigger: row.trigger,
    configGeneration: row.configGeneration,
    params: row.params,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  });
}

export function toDesiredState(state: CompiledChannelState | null | undefined): DesiredState | null {
  return desiredStateOf(state, toGate);
}

export function toServiceInstance(row: ServiceInstanceRow): ServiceInstance {
  return Object.assign(new LazyServiceInstance(), { row, id: toGlobalId('ServiceInstance', row.id) });
}

export function toApiToken(row: ApiTokenRow): ApiToken {
  return Object.assign(new ApiToken(), {
    row,
    id: toGlobalId('ApiToken', row.id),
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    allApplications: row.applications == null,
    applications: row.applications ?? [],
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt ?? null,
  });
}

export function toEvent(row: EventRow): Event {
  return Object.assign(new Event(), { row, id: toGlobalId('Event', String(row.id)), at: row.at, type: row.type, actor: row.actor, actorTokenId: row.actorTokenId ? toGlobalId('ApiToken', row.actorTokenId) : null, subject: row.subject, message: row.message, data: row.data ?? null });
}

export function toApproval(row: ApprovalRow, channelName: string): Approval {
  return Object.assign(new Approval(), { actor: row.actor, decision: row.decision, comment: row.comment ?? null, createdAt: row.createdAt, channel: channelName });
}

/** Package directory and entry path stay on the server: they say nothing a client can act on. */
export function toRuntimePlugin(info: PluginInfo): RuntimePlugin {
  return Object.assign(new RuntimePlugin(), { name: info.name, version: info.version, packageName: info.packageName, status: info.status, reason: info.reason ?? null });
}

let unsavedEventSerial = 0;

/**
 * A published event as the API's Event. Events the engine publishes carry no row id (they are
 * written in a batch); they get a process-local id so clients can still key them.
 */
export function toEventFromLive(event: LiveEvent): Event {
  // Unsaved events get ids that node(id:) resolves to null: there is no row to refetch.
  const id = toGlobalId('Event', event.id === null ? `live-${++unsavedEventSerial}` : String(event.id));
  return Object.assign(new Event(), { id, at: new Date(event.at), type: event.type as EventType, actor: event.actor, subject: event.subject, message: event.message, data: event.data });
}

export function toReleaseGroup(row: ReleaseGroupRow): ReleaseGroup {
  return Object.assign(new ReleaseGroup(), { row, id: toGlobalId('ReleaseGroup', row.id), label: row.label, createdBy: row.createdBy, createdAt: row.createdAt });
}
