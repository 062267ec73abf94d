import { randomUUID } from 'node:crypto';
import type { NotifierDoc } from '../compiler/types.js';
import type { DatabaseKind } from '../store/orm.js';
import { notificationPayload } from './payload.js';
import { notifierWants, notifyEventOf, type NotifiableEvent } from './triggers.js';

export type Execute = (sql: string, params: unknown[]) => Promise<unknown>;

export interface NotifierSummary {
  id: string;
  name: string;
  format: NotifierDoc['format'];
  filters: NotifierDoc['filters'];
}

export interface NewDelivery {
  id: string;
  notifier: NotifierSummary;
  eventId: number | null;
  eventType: string;
  application: string | null;
  channel: string | null;
  payload: Record<string, unknown>;
}

/** The deliveries these events make: one per matching notifier and event. Pure. */
export function deliveriesFor(notifiers: NotifierSummary[], events: NotifiableEvent[]): NewDelivery[] {
  const out: NewDelivery[] = [];
  for (const e of events) {
    const event = notifyEventOf(e);
    if (!event) continue;
    for (const n of notifiers) {
      if (!notifierWants(n.filters, { event, application: e.application, channel: e.channel })) continue;
      const id = randomUUID();
      out.push({ id, notifier: n, eventId: e.id, eventType: event, application: e.application, channel: e.channel, payload: notificationPayload(n.format, id, event, e) });
    }
  }
  return out;
}

/** Writes outbox rows with the caller's connection (inside the transaction of their events). */
export async function insertDeliveries(execute: Execute, kind: DatabaseKind, deliveries: NewDelivery[], now: number): Promise<void> {
  if (deliveries.length === 0) return;
  const row = `(?, ?, ?, ?, ?, ?, ?, ${kind === 'postgresql' ? '?::jsonb' : '?'}, 'PENDING', 0, ?, ?)`;
  const params = deliveries.flatMap((d) => [d.id, d.notifier.id, d.notifier.name, d.eventId, d.eventType, d.application, d.channel, JSON.stringify(d.payload), now, now]);
  await execute(
    `INSERT INTO notification_deliveries (id, notifier_id, notifier_name, event_id, event_type, application_name, channel_name, payload, status, attempts, next_attempt_at, created_at) VALUES ${deliveries.map(() => row).join(',')}`,
    params,
  );
}

/**
 * The notifiers the engine matches its events against, kept in memory so a batch's transaction
 * never waits for a read. Refreshed after applyConfig on this server and every few seconds (other
 * replicas' changes).
 */
export class NotifierCache {
  private list: NotifierSummary[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly load: () => Promise<NotifierSummary[]>, private readonly onError: (err: unknown) => void) {}

  get notifiers(): NotifierSummary[] {
    return this.list;
  }

  async refresh(): Promise<void> {
    this.list = await this.load();
  }

  start(intervalMs = 5_000): void {
    this.timer = setInterval(() => void this.refresh().catch(this.onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
