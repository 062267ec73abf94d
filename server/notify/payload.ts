import type { NotifierDoc } from '../compiler/types.js';
import type { NotifiableEvent } from './triggers.js';

const TITLES: Record<string, string> = {
  WAITING_FOR_APPROVAL: 'Waiting for approval',
  CONVERGED: 'Converged',
  FAILED: 'Release failed',
  ROLLED_BACK: 'Rolled back',
  CRASH_LOOP: 'Crash loop',
  CHECK_FAILING: 'Check failing',
  DRIFT_HEALED: 'Drift healed',
  TEST: 'Test notification',
};

/**
 * The body a receiver gets. json: Driftless's own shape (stable field names, documented in
 * docs/operations.md). slack: an incoming-webhook payload, `text` with mrkdwn.
 */
export function notificationPayload(format: NotifierDoc['format'], deliveryId: string, event: NotifyEventName, e: NotifiableEvent): Record<string, unknown> {
  if (format === 'slack') {
    const where = [e.application, e.channel, e.service].filter(Boolean).join(' / ');
    return { text: `*${TITLES[event] ?? event}*${where ? ` — ${where}` : ''}\n${e.message}` };
  }
  return {
    id: deliveryId,
    event,
    at: new Date(e.at).toISOString(),
    application: e.application,
    channel: e.channel,
    service: e.service,
    subject: e.subject,
    message: e.message,
    driftlessEvent: e.id === null ? null : { id: String(e.id), type: e.type },
  };
}
export type NotifyEventName = string;
