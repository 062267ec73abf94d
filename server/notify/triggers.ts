import type { NotifierDoc, NotifyEvent } from '../compiler/types.js';

/** What an event has for the filters: its type and data, and where it happened. */
export interface NotifiableEvent {
  id: number | null;
  at: number;
  type: string;
  application: string | null;
  channel: string | null;
  service: string | null;
  subject: string;
  message: string;
  data?: Record<string, unknown> | null;
}

/**
 * Which notify event (config `filters.events`) an engine event is, if any. "Waiting for approval"
 * is the status change into AWAITING_APPROVAL.
 */
export function notifyEventOf(e: Pick<NotifiableEvent, 'type' | 'data'>): NotifyEvent | null {
  switch (e.type) {
    case 'INSTANCE_CONVERGED':
      return 'CONVERGED';
    case 'RELEASE_FAILED':
      return 'FAILED';
    case 'INSTANCE_ROLLED_BACK':
      return 'ROLLED_BACK';
    case 'CRASH_LOOP_DETECTED':
      return 'CRASH_LOOP';
    case 'HEALTH_DEGRADED':
      return 'CHECK_FAILING';
    case 'INSTANCE_SELF_HEALED':
      return 'DRIFT_HEALED';
    case 'INSTANCE_STATUS_CHANGED': {
      // Only the change into the wait: other reasons coming and going while it waits are not news.
      const has = (list: unknown) => Array.isArray(list) && list.includes('AWAITING_APPROVAL');
      return e.data?.status === 'WAITING' && has(e.data.reasons) && !(e.data.from === 'WAITING' && has(e.data.fromReasons)) ? 'WAITING_FOR_APPROVAL' : null;
    }
    default:
      return null;
  }
}

/** Every list a notifier gives must match; an absent list matches everything. */
export function notifierWants(filters: NotifierDoc['filters'], what: { event: NotifyEvent; application: string | null; channel: string | null }): boolean {
  if (filters.events && !filters.events.includes(what.event)) return false;
  if (filters.applications && (!what.application || !filters.applications.includes(what.application))) return false;
  if (filters.channels && (!what.channel || !filters.channels.includes(what.channel))) return false;
  return true;
}
