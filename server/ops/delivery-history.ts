import type { EntityManager } from '@mikro-orm/core';
import { ApplicationRow, EventRow, ReleaseChannelRow, ReleaseRow } from '../store/entities/index.js';
import { deliveryMetrics, type DeliveryMetrics, type HistoryEvent } from './delivery-metrics.js';

const TYPES = ['INSTANCE_CONVERGED', 'ROLLOUT_STARTED', 'RELEASE_FAILED', 'CRASH_LOOP_DETECTED', 'ROLLBACK_STARTED', 'INSTANCE_ROLLED_BACK'];

/** `ServiceInstance shop/production/web` → `production`. */
function channelOf(subject: string): string | null {
  const match = /^ServiceInstance [^/]+\/([^/]+)\//.exec(subject);
  return match ? match[1]! : null;
}

/** Reads an application's history (up to `to`) and computes its delivery metrics over [from, to]. */
export async function deliveryMetricsOf(em: EntityManager, application: ApplicationRow, from: number, to: number): Promise<DeliveryMetrics> {
  const channels = await em.find(ReleaseChannelRow, { applicationId: application.id }, { orderBy: { position: 'asc' } });
  const upstream = new Set(channels.flatMap((c) => c.document.dependsOn ?? []));
  const releases = await em.find(ReleaseRow, { applicationId: application.id, createdAt: { $lte: new Date(to) } }, { fields: ['id', 'createdAt'] });
  const rows = await em.find(EventRow, { applicationId: application.id, type: { $in: TYPES }, at: { $lte: new Date(to) } }, { orderBy: { id: 'asc' } });
  const events: HistoryEvent[] = rows.map((e) => ({ at: e.at.getTime(), type: e.type, channel: channelOf(e.subject), data: e.data ?? null }));
  return deliveryMetrics({
    channels: channels.map((c) => ({ name: c.name, last: !upstream.has(c.name) })),
    releases: releases.map((r) => ({ id: r.id, createdAt: r.createdAt.getTime() })),
    events,
    from,
    to,
  });
}
