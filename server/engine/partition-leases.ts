import type { Logger } from '../logger.js';
import type { DatabaseKind } from '../store/orm.js';
import { PARTITIONS } from './partition-of.js';
import type { RawExecute } from './raw-sql.js';

export interface PartitionLease {
  generation: number;
  expiresAt: number;
}

export interface LeaseChanges {
  gained: number[];
  lost: number[];
}

export interface PartitionLeasesOptions {
  execute: RawExecute;
  kind: DatabaseKind;
  owner: string;
  leaseMs: number;
  now: () => number;
  logger: Logger;
  /** True while a tick of an instance in this partition runs here: it is not handed over yet. */
  busy(partition: number): boolean;
}

/**
 * Which partitions this replica owns (issue 17). Each partition is a row with an owner, a lease
 * expiry and a fencing generation; a replica renews what it owns, takes free or expired partitions
 * up to its fair share (partitions ÷ live replicas, rounded up) and hands back what is over it, so
 * the partitions spread over the replicas that are alive. A claim bumps the generation, and every
 * outcome write checks it: a replica that lost a partition can no longer write its instances.
 * On SQLite there is one server, and it owns every partition.
 */
export class PartitionLeases {
  readonly owned = new Map<number, PartitionLease>();
  /** Over the fair share: no new ticks start there; handed back once its ticks have finished. */
  private readonly draining = new Set<number>();
  private lastRenewAt = 0;

  constructor(private readonly opts: PartitionLeasesOptions) {}

  private get renewEveryMs(): number {
    return Math.max(50, Math.floor(this.opts.leaseMs / 3));
  }

  /** How often `round` should run: often enough to take over a dead replica's partitions within its lease and a second. */
  get roundEveryMs(): number {
    return Math.min(1_000, this.renewEveryMs);
  }

  /**
   * Whether a tick of this partition may start now: owned, not being handed back, and with enough
   * of the lease left that the tick ends (or its write is fenced off) well inside it.
   */
  tickable(partition: number, now: number): boolean {
    const lease = this.owned.get(partition);
    return !!lease && !this.draining.has(partition) && lease.expiresAt - now > this.renewEveryMs;
  }

  generationOf(partition: number): number | undefined {
    return this.owned.get(partition)?.generation;
  }

  /** A previous life of this server (same identity) held partitions: they are its again at once. */
  async start(): Promise<LeaseChanges> {
    const now = Math.round(this.opts.now());
    if (this.opts.kind === 'sqlite') {
      // One server per SQLite file: whatever an earlier process held is void.
      await this.opts.execute('UPDATE engine_partitions SET owner = NULL, expires_at = NULL', [], 'run');
      await this.opts.execute('DELETE FROM engine_replicas', [], 'run');
    } else {
      await this.opts.execute('UPDATE engine_partitions SET expires_at = ? WHERE owner = ?', [now - 1, this.opts.owner], 'run');
    }
    return this.round();
  }

  /**
   * Renews, then takes or hands back partitions to reach the fair share. `oldestChecks` summarises
   * the owner's in-memory "last checked" per partition, written with the renewal.
   */
  async round(oldestChecks?: () => Map<number, number>): Promise<LeaseChanges> {
    const now = Math.round(this.opts.now());
    const changes: LeaseChanges = { gained: [], lost: [] };
    if (now - this.lastRenewAt >= this.renewEveryMs || this.owned.size === 0) {
      await this.renew(now, changes, oldestChecks?.());
      this.lastRenewAt = now;
    }
    const share = await this.fairShare(now);
    if (this.owned.size <= share) this.draining.clear();
    if (this.owned.size < share) changes.gained.push(...(await this.claim(share - this.owned.size, now)));
    else if (this.owned.size > share) await this.handBack(this.owned.size - share, changes);
    return changes;
  }

  /** Graceful stop: hands every partition back, so the other replicas take them at once. */
  async stop(): Promise<void> {
    const mine = [...this.owned.keys()];
    this.owned.clear();
    if (mine.length) await this.opts.execute(`UPDATE engine_partitions SET owner = NULL, expires_at = NULL WHERE owner = ? AND id IN (${mine.map(() => '?').join(',')})`, [this.opts.owner, ...mine], 'run');
    await this.opts.execute('DELETE FROM engine_replicas WHERE owner = ?', [this.opts.owner], 'run');
  }

  private async renew(now: number, changes: LeaseChanges, oldest?: Map<number, number>): Promise<void> {
    const expires = now + this.opts.leaseMs;
    await this.opts.execute(
      `INSERT INTO engine_replicas (owner, expires_at) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at`,
      [this.opts.owner, expires],
      'run',
    );
    if (this.owned.size === 0) return;
    const held = [...this.owned.entries()];
    const match = held.map(() => '(id = ? AND generation = ?)').join(' OR ');
    const checks = [...(oldest ?? new Map<number, number>())].filter(([id, at]) => this.owned.has(id) && at > 0);
    const when = this.opts.kind === 'postgresql' ? 'WHEN ?::integer THEN ?::bigint' : 'WHEN ? THEN ?';
    const checked = checks.length ? `, checked_at = CASE id ${checks.map(() => when).join(' ')} ELSE checked_at END` : '';
    const renewed: { id: unknown }[] = await this.opts.execute(
      `UPDATE engine_partitions SET expires_at = ?${checked} WHERE owner = ? AND (${match}) RETURNING id`,
      [expires, ...checks.flatMap(([id, at]) => [id, Math.round(at)]), this.opts.owner, ...held.flatMap(([id, lease]) => [id, lease.generation])],
    );
    const kept = new Set(renewed.map((r) => Number(r.id)));
    for (const [id, lease] of held) {
      if (kept.has(id)) lease.expiresAt = expires;
      else {
        // Another replica took it (this one was too slow to renew): stop at once.
        this.owned.delete(id);
        this.draining.delete(id);
        changes.lost.push(id);
      }
    }
    if (changes.lost.length) this.opts.logger.warn({ partitions: changes.lost }, 'lost partitions to another replica (their lease ran out before it was renewed)');
  }

  private async fairShare(now: number): Promise<number> {
    const [row] = (await this.opts.execute('SELECT COUNT(*) AS n FROM engine_replicas WHERE expires_at > ?', [now])) as { n: unknown }[];
    const live = Math.max(1, Number(row?.n ?? 1));
    return Math.ceil(PARTITIONS / live);
  }

  private async claim(wanted: number, now: number): Promise<number[]> {
    // A read first: most rounds find nothing free, and a read takes no write lock.
    const [free] = (await this.opts.execute('SELECT COUNT(*) AS n FROM engine_partitions WHERE owner IS NULL OR expires_at < ?', [now])) as { n: unknown }[];
    if (Number(free?.n ?? 0) === 0) return [];
    const lock = this.opts.kind === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    const rows: { id: unknown; generation: unknown }[] = await this.opts.execute(
      `UPDATE engine_partitions SET owner = ?, expires_at = ?, generation = generation + 1
       WHERE id IN (SELECT id FROM engine_partitions WHERE owner IS NULL OR expires_at < ? ORDER BY id LIMIT ? ${lock})
       RETURNING id, generation`,
      [this.opts.owner, now + this.opts.leaseMs, now, wanted],
    );
    const gained: number[] = [];
    for (const r of rows) {
      const id = Number(r.id);
      this.owned.set(id, { generation: Number(r.generation), expiresAt: now + this.opts.leaseMs });
      gained.push(id);
    }
    return gained;
  }

  /** Marks the surplus draining; hands back those of them with no tick running here. */
  private async handBack(surplus: number, changes: LeaseChanges): Promise<void> {
    const candidates = [...this.owned.keys()].sort((a, b) => b - a);
    for (const id of candidates) {
      if (this.draining.size >= surplus) break;
      this.draining.add(id);
    }
    const idle = [...this.draining].filter((id) => !this.opts.busy(id));
    if (idle.length === 0) return;
    await this.opts.execute(
      `UPDATE engine_partitions SET owner = NULL, expires_at = NULL WHERE owner = ? AND id IN (${idle.map(() => '?').join(',')})`,
      [this.opts.owner, ...idle],
      'run',
    );
    for (const id of idle) {
      this.owned.delete(id);
      this.draining.delete(id);
      changes.lost.push(id);
    }
  }
}
