import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { recordEvent } from '../domain/events.js';
import { tickingHere } from '../engine/local-ticks.js';
import { ApplicationRow, PendingRemovalRow, ReleaseChannelRow, RuntimeRow, ServiceInstanceRow, ServiceRow, type EventRow, type RemovalCause } from '../store/entities/index.js';

const CAUSE_WORDS: Record<RemovalCause, string> = {
  CHANNEL_REMOVED: 'its channel was removed from the config',
  SERVICE_DELETED: 'the service was deleted',
  APPLICATION_DELETED: 'the application was deleted',
};

/**
 * Deletes instance rows and, in the same transaction, records the durable intent to remove what
 * ran for each of them (see PendingRemovalRow). Instances that never ran anything leave no intent.
 * Returns how many workloads are to be removed, and the event that says so.
 */
export async function removeInstances(em: EntityManager, instances: ServiceInstanceRow[], cause: RemovalCause, actor: string): Promise<{ pending: number; events: EventRow[] }> {
  if (instances.length === 0) return { pending: 0, events: [] };
  // One after another: inside a transaction they share one connection.
  const apps = await em.find(ApplicationRow, { id: { $in: [...new Set(instances.map((i) => i.applicationId))] } });
  const channels = await em.find(ReleaseChannelRow, { id: { $in: [...new Set(instances.map((i) => i.channelId))] } });
  const services = await em.find(ServiceRow, { id: { $in: [...new Set(instances.map((i) => i.serviceId))] } });
  const runtimes = await em.find(RuntimeRow, { id: { $in: [...new Set(channels.map((c) => c.runtimeId))] } });
  const appById = new Map(apps.map((a) => [a.id, a]));
  const channelById = new Map(channels.map((c) => [c.id, c]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const runtimeById = new Map(runtimes.map((r) => [r.id, r]));
  const now = Date.now();
  const leases = await partitionLeases(em, instances, now);
  // Asked first, read second: a tick that ended after the rows above were read has written its
  // target by the time its owner says it is no longer ticking, and the second read sees it.
  const idle = instances.filter((i) => !i.targetReleaseId && leases.has(i.partition) && tickingHere(leases.get(i.partition)!.owner, i.id) === false);
  const targets = await currentTargets(em, idle.map((i) => i.id));
  const events: EventRow[] = [];
  let pending = 0;
  for (const i of instances) {
    const app = appById.get(i.applicationId);
    const channel = channelById.get(i.channelId);
    const service = serviceById.get(i.serviceId);
    const runtime = channel && runtimeById.get(channel.runtimeId);
    if (!app || !channel || !service || !runtime) continue;
    // The owner of the instance's partition may be starting its first replica right now: its
    // target is not written yet, but something may run. An owner in this process says whether it
    // ticks the instance; one elsewhere is presumed to. Only an instance nothing was ever started
    // for, and that no tick is starting, is skipped.
    const lease = leases.get(i.partition);
    const leased = !!lease && (tickingHere(lease.owner, i.id) ?? true);
    if (!i.targetReleaseId && !targets.get(i.id) && !leased) continue;
    em.create(PendingRemovalRow, {
      id: i.id,
      applicationId: app.id,
      application: app.name,
      channel: channel.name,
      service: service.name,
      runtime: runtime.name,
      plugin: runtime.plugin,
      cause,
      actor,
      dueAt: now,
      partition: i.partition,
      heldBy: lease ? lease.owner : null,
      heldUntil: lease ? lease.expiresAt : null,
    });
    pending++;
    events.push(
      recordEvent(em, {
        type: 'INSTANCE_REMOVAL_REQUESTED',
        actor,
        applicationId: app.id,
        subject: `ServiceInstance ${app.name}/${channel.name}/${service.name}`,
        subjectId: i.id,
        message: `removing ${service.name} from ${channel.name} (runtime ${runtime.name}): ${CAUSE_WORDS[cause]}`,
        data: { cause, channel: channel.name, service: service.name, runtime: runtime.name },
      }),
    );
  }
  await em.nativeDelete(ServiceInstanceRow, { id: { $in: instances.map((i) => i.id) } });
  return { pending, events };
}

/** Live partition leases of these instances' partitions: owner and expiry. */
async function partitionLeases(em: EntityManager, instances: ServiceInstanceRow[], now: number): Promise<Map<number, { owner: string; expiresAt: number }>> {
  const partitions = [...new Set(instances.map((i) => i.partition))];
  const rows = (await em.getConnection().execute(
    `SELECT id, owner, expires_at FROM engine_partitions WHERE owner IS NOT NULL AND expires_at > ? AND id IN (${partitions.map(() => '?').join(',')})`,
    [now, ...partitions],
    'all',
    em.getTransactionContext(),
  )) as { id: unknown; owner: string; expires_at: unknown }[];
  return new Map(rows.map((r) => [Number(r.id), { owner: r.owner, expiresAt: Number(r.expires_at) }]));
}

/** The instances' target releases as committed now (on PostgreSQL, locked: the latest committed row). */
async function currentTargets(em: EntityManager, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const lock = em.getDriver() instanceof PostgreSqlDriver ? ' FOR UPDATE' : '';
  const rows = (await em.getConnection().execute(`SELECT id, target_release_id FROM service_instances WHERE id IN (${ids.map(() => '?').join(',')})${lock}`, ids, 'all', em.getTransactionContext())) as { id: string; target_release_id: string | null }[];
  return new Map(rows.map((r) => [r.id, r.target_release_id]));
}
