import type { LiveEvent, LivePubSub } from '../domain/live.js';
import type { EventRow } from '../store/entities/index.js';

export function toLiveEvent(row: EventRow): LiveEvent {
  return {
    id: row.id ?? null,
    at: row.at.getTime(),
    applicationId: row.applicationId ?? null,
    type: row.type,
    actor: row.actor,
    subject: row.subject,
    subjectId: row.subjectId ?? null,
    message: row.message,
    data: row.data ?? null,
  };
}

/** Tells subscribers about events of a user action. Call only after its transaction committed. */
export function publishEvents(live: LivePubSub, rows: EventRow[]): void {
  for (const row of rows) live.publish('EVENT', toLiveEvent(row));
}
