import { createHmac } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../logger.js';
import type { DatabaseKind } from '../store/orm.js';
import { openSecret } from './secret-values.js';

export interface DispatcherOptions {
  orm: MikroORM;
  kind: DatabaseKind;
  owner: string;
  logger: Logger;
  /** First retry after this long, doubling each time up to maxBackoffMs. */
  retryBaseMs: number;
  maxBackoffMs: number;
  /** After this many failed attempts a delivery is FAILED and no longer retried. */
  maxAttempts: number;
  timeoutMs: number;
  onResult?: (result: 'delivered' | 'retry' | 'failed') => void;
}

interface DueRow {
  id: string;
  notifier_id: string;
  event_type: string;
  payload: unknown;
  attempts: unknown;
}

/**
 * Works off the outbox: claims due deliveries with a lease (so replicas never send one twice at
 * once), POSTs each with its Idempotency-Key and signature, and records the outcome. Runs beside
 * the engine, never in it: a slow or dead receiver holds only its own delivery (bounded by the
 * timeout), never a tick. At least once: a crash after the POST and before the write sends again,
 * with the same Idempotency-Key.
 */
export class NotificationDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly opts: DispatcherOptions) {}

  private execute<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.opts.orm.em.getConnection().execute(sql, params, 'all') as Promise<T[]>;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const c of this.inFlight) c.abort();
    this.poke();
    await this.loop;
  }

  /** New deliveries were written: look now rather than at the next poll. */
  poke(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      try {
        const rows = await this.claim(Date.now());
        if (rows.length) {
          await Promise.all(rows.map((r) => this.deliver(r)));
          continue;
        }
      } catch (err) {
        this.opts.logger.warn({ err }, 'notification dispatcher: could not read the outbox; retrying');
      }
      if (!this.running || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  private async claim(now: number): Promise<DueRow[]> {
    const lock = this.opts.kind === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    const leaseUntil = now + this.opts.timeoutMs + 30_000;
    // A read first: an idle outbox is polled every second, and that poll writes nothing.
    const due = await this.execute<{ id: string }>(
      `SELECT id FROM notification_deliveries WHERE status = 'PENDING' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?) LIMIT 1`,
      [now, now],
    );
    if (due.length === 0) return [];
    return this.execute<DueRow>(
      `UPDATE notification_deliveries SET lease_owner = ?, lease_expires_at = ?
        WHERE id IN (SELECT id FROM notification_deliveries
                      WHERE status = 'PENDING' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                      ORDER BY next_attempt_at LIMIT 20 ${lock})
        RETURNING id, notifier_id, event_type, payload, attempts`,
      [this.opts.owner, leaseUntil, now, now],
    );
  }

  private async deliver(row: DueRow): Promise<void> {
    const attempts = Number(row.attempts) + 1;
    const [notifier] = await this.execute<{ sealed_url: string; sealed_signing_secret: string | null }>('SELECT sealed_url, sealed_signing_secret FROM notifiers WHERE id = ?', [row.notifier_id]);
    if (!notifier) return this.finish(row.id, attempts, { ok: false, terminal: true, error: 'the notifier was deleted' });
    const body = typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'driftless-notifier',
      'idempotency-key': row.id,
      'x-driftless-delivery': row.id,
      'x-driftless-event': row.event_type,
      'x-driftless-attempt': String(attempts),
    };
    if (notifier.sealed_signing_secret) headers['x-driftless-signature'] = `sha256=${createHmac('sha256', openSecret(notifier.sealed_signing_secret)).update(body).digest('hex')}`;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    try {
      const res = await fetch(openSecret(notifier.sealed_url), { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return await this.finish(row.id, attempts, { ok: true, status: res.status });
      await this.finish(row.id, attempts, { ok: false, status: res.status, error: `the receiver answered ${res.status}` });
    } catch (err) {
      // Never the URL itself (it holds the credential): only what kind of failure it was.
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const error = controller.signal.aborted ? `no answer within ${this.opts.timeoutMs} ms` : `could not reach the receiver${cause ? ` (${cause})` : ''}`;
      await this.finish(row.id, attempts, { ok: false, error });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private async finish(id: string, attempts: number, outcome: { ok: boolean; status?: number; error?: string; terminal?: boolean }): Promise<void> {
    const now = Date.now();
    if (outcome.ok) {
      await this.execute(`UPDATE notification_deliveries SET status = 'DELIVERED', attempts = ?, delivered_at = ?, last_status_code = ?, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = ?`, [attempts, now, outcome.status ?? null, id]);
      this.opts.onResult?.('delivered');
      return;
    }
    const give_up = outcome.terminal || attempts >= this.opts.maxAttempts;
    const backoff = Math.min(this.opts.maxBackoffMs, this.opts.retryBaseMs * 2 ** (attempts - 1));
    const next = give_up ? null : now + Math.round(backoff * (0.8 + Math.random() * 0.4));
    await this.execute(`UPDATE notification_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ?`, [give_up ? 'FAILED' : 'PENDING', attempts, next, outcome.status ?? null, (outcome.error ?? '').slice(0, 500), id]);
    this.opts.onResult?.(give_up ? 'failed' : 'retry');
    if (give_up) this.opts.logger.warn({ delivery: id, attempts, error: outcome.error }, 'notification delivery failed for good');
  }
}
