import type { MikroORM } from '@mikro-orm/core';
import { recordEvent } from '../domain/events.js';
import type { LivePubSub } from '../domain/live.js';
import type { Logger } from '../logger.js';
import type { PluginHost } from '../plugin-host/index.js';
import { publishEvents } from '../services/live-events.js';
import { PendingRemovalRow, RuntimeRow } from '../store/entities/index.js';
import type { DatabaseKind } from '../store/orm.js';
import { transact } from '../store/transact.js';
import type { RuntimeSecrets } from '../secrets/runtime-secrets.js';
import { resolveSecretRefs } from '../secrets/resolve-refs.js';
import { makeScrubber } from '../secrets/scrub.js';

export interface RemovalQueueOptions {
  orm: MikroORM;
  kind: DatabaseKind;
  plugins: PluginHost;
  owner: string;
  logger: Logger;
  live: LivePubSub;
  timeoutMs: number;
  dataDir?: string;
  /** Opens sealed runtime secrets and scrubs known ones from what the plugin says. */
  secrets?: RuntimeSecrets;
  now: () => number;
  /** A tick of this instance is running in this process: its removal waits for it. */
  isTicking(instanceId: string): boolean;
}

const BATCH = 10;
/**
 * A tick another replica had under way when the row went may still be applying after its lease
 * (no longer renewed) ran out; its apply timeout bounds it. The removal waits that long.
 */
const REMOTE_TICK_MARGIN_MS = 60_000;
/** How often to look for removals written by another replica, or due again after a failure. */
const IDLE_CHECK_MS = 5_000;

/**
 * Works off the durable removal intents (pending_removals): asks each runtime plugin to remove what
 * ran for a deleted instance (its `delete` hook) and forgets the intent only once that succeeded.
 * Failures are retried with backoff, across restarts; a plugin without `delete` removes nothing,
 * and the event says so. Claims with a lease, so two replicas never remove the same thing at once.
 */
export class RemovalQueue {
  private nextCheckAt = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: RemovalQueueOptions) {}

  /** New intents were written here: look now rather than at the next idle check. */
  poke(): void {
    this.nextCheckAt = 0;
  }

  /** Starts a pass when one is due and none runs; returns it (the engine waits for it on stop). */
  maybeRun(): Promise<void> | undefined {
    if (this.running || this.opts.now() < this.nextCheckAt) return undefined;
    this.running = this.pass()
      .catch((err: unknown) => this.opts.logger.error({ err }, 'removal pass failed; retrying shortly'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs passes until nothing is due (or `timeoutMs` passed). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = this.opts.now() + timeoutMs;
    await this.running;
    do {
      this.poke();
      await this.maybeRun();
    } while (this.nextCheckAt === 0 && this.opts.now() < deadline);
  }

  private async pass(): Promise<void> {
    const now = this.opts.now();
    this.nextCheckAt = now + IDLE_CHECK_MS;
    const claimed = await this.claim(now);
    await Promise.all(claimed.map((r) => this.remove(r)));
    if (claimed.length) await this.deleteRetiredRuntimes();
    if (claimed.length === BATCH) this.nextCheckAt = 0;
    else {
      const [next] = (await this.opts.orm.em.getConnection().execute('SELECT MIN(due_at) AS at FROM pending_removals')) as { at: unknown }[];
      if (next?.at !== null && next?.at !== undefined) this.nextCheckAt = Math.min(this.nextCheckAt, Number(next.at));
    }
  }

  private async claim(now: number): Promise<PendingRemovalRow[]> {
    const lock = this.opts.kind === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    // A read first: the idle check runs every few seconds, and with nothing to remove it writes nothing.
    const [any] = (await this.opts.orm.em.getConnection().execute('SELECT id FROM pending_removals WHERE due_at <= ? LIMIT 1', [Math.round(now)])) as unknown[];
    if (!any) return [];
    const rows = (await this.opts.orm.em.getConnection().execute(
      `UPDATE pending_removals SET lease_owner = ?, lease_expires_at = ?
       WHERE id IN (SELECT id FROM pending_removals WHERE due_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?)
         AND (held_by IS NULL OR held_by = ? OR held_until < ?) ORDER BY due_at LIMIT ${BATCH} ${lock})
       RETURNING id`,
      // The partition owner the row names removes it (it knows whether a tick of it runs); anyone
      // does once that owner's lease and the margin for its last apply are over.
      // Integer columns get integers (an injected clock may be fractional; PostgreSQL refuses that for bigint).
      [this.opts.owner, Math.round(now + this.opts.timeoutMs + 10_000), Math.round(now), Math.round(now), this.opts.owner, Math.round(now - REMOTE_TICK_MARGIN_MS)],
    )) as { id: string }[];
    if (rows.length === 0) return [];
    return this.opts.orm.em.fork().find(PendingRemovalRow, { id: { $in: rows.map((r) => r.id) } });
  }

  private async remove(r: PendingRemovalRow): Promise<void> {
    if (this.opts.isTicking(r.id)) return this.retry(r, undefined, 200);
    const remoteUntil = r.heldBy && r.heldBy !== this.opts.owner && r.heldUntil ? r.heldUntil + REMOTE_TICK_MARGIN_MS : 0;
    if (remoteUntil > this.opts.now()) return this.retry(r, undefined, remoteUntil - this.opts.now());
    const where = `${r.service} in ${r.application}/${r.channel}`;
    const logger = this.opts.logger.child({ plugin: r.plugin, instance: `${r.application}/${r.channel}/${r.service}` });
    let scrub = (text: string) => this.opts.secrets?.known.scrub(text) ?? text;
    try {
      const runtime = await this.opts.orm.em.fork().findOne(RuntimeRow, { name: r.runtime });
      if (!runtime) throw new Error(`runtime ${r.runtime} no longer exists; remove what ran there by hand`);
      const loaded = this.opts.plugins.get(r.plugin);
      if (!loaded) throw new Error(`runtime plugin "${r.plugin}" is not loaded on this server`);
      const remove = loaded.plugin.delete;
      if (remove) {
        // The plugin host side of a call: sealed values opened, references resolved now.
        const opened = this.opts.secrets ? this.opts.secrets.open(runtime.config) : runtime.config;
        const resolved = resolveSecretRefs(opened, loaded.plugin.configSchema);
        const local = makeScrubber(resolved.secrets);
        scrub = (text) => local(this.opts.secrets?.known.scrub(text) ?? text);
        const log = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: Record<string, unknown>) => logger[level](JSON.parse(scrub(JSON.stringify(data ?? {}))) as object, scrub(String(msg)));
        await remove.call(loaded.plugin, {
          config: resolved.config,
          instance: { instanceId: r.id, application: r.application, channel: r.channel, service: r.service, runtime: r.runtime },
          signal: AbortSignal.timeout(this.opts.timeoutMs),
          logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
          ...(this.opts.dataDir ? { dataDir: this.opts.dataDir } : {}),
        });
      }
      const message = remove
        ? `removed ${where} from runtime ${r.runtime}`
        : `forgot ${where}: runtime plugin "${r.plugin}" cannot delete (no delete hook), so whatever ran on ${r.runtime} is left for you to remove`;
      await this.finish(r, message);
      logger.info(message);
    } catch (err) {
      const why = scrub(err instanceof Error ? err.message : String(err));
      logger.warn({ err: why }, 'removal failed; retrying with backoff');
      await this.retry(r, `could not remove ${where} from runtime ${r.runtime} (attempt ${r.attempts + 1}): ${why}; retrying`, Math.min(300_000, 1_000 * 2 ** Math.min(8, r.attempts)));
    }
  }

  private async finish(r: PendingRemovalRow, message: string): Promise<void> {
    const events = await transact(this.opts.orm.em.fork(), async (em) => {
      await em.nativeDelete(PendingRemovalRow, { id: r.id, leaseOwner: this.opts.owner });
      return [recordEvent(em, { type: 'INSTANCE_REMOVED', actor: 'engine', applicationId: r.applicationId, subject: `ServiceInstance ${r.application}/${r.channel}/${r.service}`, subjectId: r.id, message, data: { cause: r.cause, runtime: r.runtime } })];
    });
    publishEvents(this.opts.live, events);
  }

  /** A retired runtime goes once no workload is left to remove from it (after the removals, not inside them: they run in parallel). */
  private async deleteRetiredRuntimes(): Promise<void> {
    const events = await transact(this.opts.orm.em.fork(), async (em) => {
      const out = [];
      for (const runtime of await em.find(RuntimeRow, { retiredAt: { $ne: null } })) {
        if (await em.count(PendingRemovalRow, { runtime: runtime.name })) continue;
        em.remove(runtime);
        out.push(recordEvent(em, { type: 'RUNTIME_DELETED', actor: 'engine', subject: `Runtime ${runtime.name}`, subjectId: runtime.id, message: `deleted runtime ${runtime.name}: the workloads of its channels are removed` }));
      }
      return out;
    });
    publishEvents(this.opts.live, events);
  }

  /** Gives the claim back, due again after `delayMs`; a changed failure is an event (never one per retry of the same). */
  private async retry(r: PendingRemovalRow, failure: string | undefined, delayMs: number): Promise<void> {
    const events = await transact(this.opts.orm.em.fork(), async (em) => {
      const row = await em.findOne(PendingRemovalRow, { id: r.id, leaseOwner: this.opts.owner });
      if (!row) return [];
      const changed = failure !== undefined && failure.replace(/ \(attempt \d+\)/, '') !== row.lastError?.replace(/ \(attempt \d+\)/, '');
      Object.assign(row, { leaseOwner: null, leaseExpiresAt: null, dueAt: Math.round(this.opts.now() + delayMs) });
      if (failure === undefined) return [];
      row.attempts += 1;
      row.lastError = failure;
      return changed
        ? [recordEvent(em, { type: 'INSTANCE_REMOVAL_FAILED', actor: 'engine', applicationId: r.applicationId, subject: `ServiceInstance ${r.application}/${r.channel}/${r.service}`, subjectId: r.id, message: failure, data: { runtime: r.runtime } })]
        : [];
    });
    publishEvents(this.opts.live, events);
  }
}
