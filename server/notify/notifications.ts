import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { hasRight, isUnscoped, type Viewer } from '../auth/viewer.js';
import { userError, type UserErrorData } from '../domain/user-error.js';
import type { EngineOutbox } from '../engine/engine.js';
import type { Logger } from '../logger.js';
import { NotificationDeliveryRow, NotifierRow } from '../store/entities/index.js';
import type { DatabaseKind } from '../store/orm.js';
import { NotificationDispatcher } from './dispatcher.js';
import { deliveriesFor, insertDeliveries, NotifierCache, type NotifierSummary } from './outbox.js';
import { notificationPayload } from './payload.js';

export interface NotifySettings {
  retryBaseMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

/**
 * Notifications on one server: the notifier cache the engine matches events against, the outbox
 * writer it calls inside its transactions, the dispatcher that delivers, and test-sends.
 */
export class Notifications {
  readonly dispatcher: NotificationDispatcher;
  private readonly cache: NotifierCache;

  constructor(private readonly opts: { orm: MikroORM; kind: DatabaseKind; owner: string; logger: Logger; settings: NotifySettings; onResult?: (r: 'delivered' | 'retry' | 'failed') => void }) {
    this.cache = new NotifierCache(
      async () => (await opts.orm.em.fork().find(NotifierRow, {})).map((n): NotifierSummary => ({ id: n.id, name: n.name, format: n.format, filters: n.filters })),
      (err) => opts.logger.warn({ err }, 'could not reload notifiers'),
    );
    this.dispatcher = new NotificationDispatcher({ orm: opts.orm, kind: opts.kind, owner: opts.owner, logger: opts.logger, ...opts.settings, onResult: opts.onResult });
  }

  async start(): Promise<void> {
    // Leases from a previous life of this server (killed mid-delivery) are void: send those again.
    const where = this.opts.kind === 'sqlite' ? 'lease_owner IS NOT NULL' : 'lease_owner = ?';
    await this.opts.orm.em.getConnection().execute(`UPDATE notification_deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE ${where}`, this.opts.kind === 'sqlite' ? [] : [this.opts.owner], 'run');
    await this.cache.refresh();
    this.cache.start();
    this.dispatcher.start();
  }

  async stop(): Promise<void> {
    this.cache.stop();
    await this.dispatcher.stop();
  }

  readonly outbox: EngineOutbox = {
    enqueue: async (events, execute, now) => {
      const notifiers = this.cache.notifiers;
      if (notifiers.length === 0) return;
      await insertDeliveries(execute, this.opts.kind, deliveriesFor(notifiers, events), now);
    },
  };

  /** Events were committed (their outbox rows with them): deliver now. */
  eventsWritten(): void {
    this.dispatcher.poke();
  }

  notifiersChanged(): void {
    this.cache.refresh().catch((err: unknown) => this.opts.logger.warn({ err }, 'could not reload notifiers'));
  }

  /** A test delivery to one notifier, through the same outbox and dispatcher as real ones. */
  async sendTest(em: EntityManager, viewer: Viewer, name: string): Promise<{ delivery?: NotificationDeliveryRow; userErrors: UserErrorData[] }> {
    if (!hasRight(viewer, 'config:write') || !isUnscoped(viewer)) return { userErrors: [userError('FORBIDDEN', 'test-sends need an admin token without an application scope', ['notifier'])] };
    const notifier = await em.findOne(NotifierRow, { name });
    if (!notifier) {
      const known = (await em.find(NotifierRow, {})).map((n) => n.name);
      return { userErrors: [userError('NOT_FOUND', `no notifier "${name}"${known.length ? ` (notifiers: ${known.join(', ')})` : ' (apply a kind: Notifier document first)'}`, ['notifier'])] };
    }
    const id = randomUUID();
    const now = Date.now();
    const payload = notificationPayload(notifier.format, id, 'TEST', { id: null, at: now, type: 'TEST', application: null, channel: null, service: null, subject: `Notifier ${name}`, message: `test notification from Driftless to notifier ${name}, sent by ${viewer.tokenName}` });
    const delivery = em.create(NotificationDeliveryRow, { id, notifierId: notifier.id, notifierName: notifier.name, eventId: null, eventType: 'TEST', applicationName: null, channelName: null, payload, status: 'PENDING', attempts: 0, nextAttemptAt: new Date(now), createdAt: new Date(now) });
    await em.flush();
    this.dispatcher.poke();
    return { delivery, userErrors: [] };
  }
}
