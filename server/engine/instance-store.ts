import type { Connection } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { DatabaseKind } from '../store/orm.js';
import type { InstanceSnapshot, InstanceUpdate } from './types.js';

export interface EngineEventRow {
  at: number;
  type: string;
  applicationId: string;
  subject: string;
  subjectId: string;
  message: string;
  data?: Record<string, unknown>;
}

/** The ORM connection's knex client and result shaping, which the hot path uses directly. */
type RawConnection = Connection & { getKnex(): Knex; transformRawResult<T>(res: unknown, method: 'all' | 'get' | 'run'): T };

/**
 * The engine's hot path: claims, reads and writes of service_instances in batched SQL through the
 * ORM's connection (one statement per batch, not one per row; see STACK.md for why). The API uses
 * the ORM's unit of work for the same table; optimistic versions keep the two from losing writes.
 */
export class InstanceStore {
  private readonly connection: { execute(sql: string, params?: unknown[], method?: 'all' | 'get' | 'run', ctx?: unknown): Promise<any> };

  constructor(
    connection: RawConnection,
    private readonly kind: DatabaseKind,
  ) {
    // Statements go to the driver with bound parameters. MikroORM's own `execute` inlines every
    // parameter into the SQL text first: for a 500-row batch that is a megabyte of escaped JSON
    // literals to build, lower-case (the SQLite dialect inspects the text) and parse again, which
    // cost the engine half its steady-state throughput (docs/benchmarks.md).
    this.connection = {
      async execute(sql, params = [], method = 'all', trx) {
        const query = connection.getKnex().raw(sql, params as Knex.RawBinding[]);
        if (trx) query.transacting(trx as Knex.Transaction);
        return connection.transformRawResult(await query, method);
      },
    };
  }

  /**
   * Leases up to `limit` due instances to `owner` and returns them as they are now (one statement:
   * the claim also reads the batch). Claimed rows move forward in the schedule to the lease expiry
   * at once, so the next claim does not scan them again and a crashed owner's instances come due
   * again when its lease runs out.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<InstanceSnapshot[]> {
    const lockClause = this.kind === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    const expires = Math.round(now + leaseMs);
    now = Math.round(now);
    const rows: Record<string, unknown>[] = await this.connection.execute(
      `UPDATE service_instances SET lease_owner = ?, lease_expires_at = ?, next_check_at = ?
       WHERE id IN (
         SELECT id FROM service_instances
         WHERE next_check_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?)
         ORDER BY next_check_at LIMIT ? ${lockClause}
       ) RETURNING *`,
      [owner, expires, expires, now, now, limit],
    );
    return rows.map((r) => this.decode(r));
  }

  /** Extends the leases of ticks still running (and keeps them out of the due set meanwhile). */
  async renewLeases(owner: string, ids: string[], now: number, leaseMs: number): Promise<void> {
    const expires = Math.round(now + leaseMs);
    await this.connection.execute(
      `UPDATE service_instances SET lease_expires_at = ?, next_check_at = ? WHERE lease_owner = ? AND id IN (${ids.map(() => '?').join(',')})`,
      [expires, expires, owner, ...ids],
      'run',
    );
  }

  /** Earliest scheduled check, to sleep until then when nothing is due. */
  async nextDueAt(): Promise<number | null> {
    const rows: { at: unknown }[] = await this.connection.execute('SELECT MIN(next_check_at) AS at FROM service_instances');
    const at = rows[0]?.at;
    return at === null || at === undefined ? null : Number(at);
  }

  async load(ids: string[]): Promise<InstanceSnapshot[]> {
    if (ids.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.connection.execute(`SELECT * FROM service_instances WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    return rows.map((r) => this.decode(r));
  }

  /** Converged release, convergence time and engine state of every instance of these services. */
  async siblings(serviceIds: string[]): Promise<InstanceSnapshot[]> {
    if (serviceIds.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.connection.execute(
      `SELECT * FROM service_instances WHERE service_id IN (${serviceIds.map(() => '?').join(',')})`,
      serviceIds,
    );
    return rows.map((r) => this.decode(r));
  }

  /**
   * Writes tick outcomes and releases their leases, in at most two statements: outcomes that only
   * move the instance's next check (a steady-state tick that found everything as it was, compared
   * with `before`) rewrite just the schedule; the others write every engine column. A row whose
   * version moved since it was claimed (the API changed its intent meanwhile) is not written: its
   * lease is released and it is due at once, so the next tick starts from the new intent.
   * Returns the ids that were written.
   */
  async write(owner: string, updates: InstanceUpdate[], now: number, trx?: unknown, before?: ReadonlyMap<string, InstanceSnapshot>): Promise<Set<string>> {
    if (updates.length === 0) return new Set();
    const full: InstanceUpdate[] = [];
    const scheduleOnly: InstanceUpdate[] = [];
    for (const u of updates) {
      const prev = before?.get(u.id);
      (prev && onlyScheduleChanged(prev, u) ? scheduleOnly : full).push(u);
    }
    const ids = new Set<string>();
    for (const id of await this.writeFull(owner, full, now, trx)) ids.add(id);
    for (const id of await this.writeSchedule(owner, scheduleOnly, now, trx)) ids.add(id);
    const skipped = updates.filter((u) => !ids.has(u.id)).map((u) => u.id);
    if (skipped.length) await this.release(owner, skipped, now, trx);
    return ids;
  }

  private cast(i: number, type: 'int' | 'bigint' | 'json' | 'text'): string {
    const col = `v.column${i}`;
    if (this.kind !== 'postgresql') return col;
    return type === 'int' ? `${col}::integer` : type === 'bigint' ? `${col}::bigint` : type === 'json' ? `${col}::jsonb` : col;
  }

  private writeSchedule(owner: string, updates: InstanceUpdate[], now: number, trx?: unknown): Promise<string[]> {
    return this.writeColumns(owner, updates, SCHEDULE_COLUMNS, now, trx);
  }

  private writeFull(owner: string, updates: InstanceUpdate[], now: number, trx?: unknown): Promise<string[]> {
    return this.writeColumns(owner, updates, FULL_COLUMNS, now, trx);
  }

  /**
   * One `UPDATE … FROM (VALUES …)` for a batch: sets `columns` plus `updated_at`, bumps the version
   * and releases the lease, only where the version and the lease are still the ones claimed.
   */
  private async writeColumns(owner: string, updates: InstanceUpdate[], columns: readonly WrittenColumn[], now: number, trx?: unknown): Promise<string[]> {
    if (updates.length === 0) return [];
    // VALUES columns: 1 id, 2 expected version, then one per written column, then updated_at.
    const assignments = columns.map((c, i) => `${c.name} = ${this.cast(i + 3, c.type)}`);
    assignments.push(`updated_at = ${this.cast(columns.length + 3, 'bigint')}`);
    const row = '(' + new Array(columns.length + 3).fill('?').join(',') + ')';
    const params: unknown[] = [];
    // Integer columns get integers: PostgreSQL refuses 1012.5 for a bigint (a backoff of 1.5^n).
    const valueOf = (c: WrittenColumn, u: InstanceUpdate) => (c.type === 'bigint' ? whole(c.value(u)) : c.value(u));
    for (const u of updates) params.push(u.id, u.expectedVersion, ...columns.map((c) => valueOf(c, u)), whole(now));
    const written: { id: string }[] = await this.connection.execute(
      `UPDATE service_instances AS si SET
         ${assignments.join(',\n         ')},
         version = si.version + 1,
         lease_owner = NULL,
         lease_expires_at = NULL
       FROM (VALUES ${updates.map(() => row).join(',')}) AS v
       WHERE si.id = v.column1 AND si.version = ${this.cast(2, 'int')} AND si.lease_owner = ?
       RETURNING id`,
      [...params, owner],
      'all',
      trx,
    );
    return written.map((r) => r.id);
  }

  /** Appends engine events in one statement (same transaction as the outcomes they describe). */
  async insertEvents(events: EngineEventRow[], trx?: unknown): Promise<number[]> {
    if (events.length === 0) return [];
    const pg = this.kind === 'postgresql';
    const row = `(?, ?, ?, ?, ?, ?, ?, ${pg ? '?::jsonb' : '?'})`;
    const params = events.flatMap((e) => [whole(e.at), 'engine', e.type, e.applicationId, e.subject, e.subjectId, e.message, e.data ? JSON.stringify(e.data) : null]);
    const inserted = await this.connection.execute(
      `INSERT INTO events (at, actor, type, application_id, subject, subject_id, message, data) VALUES ${events.map(() => row).join(',')} RETURNING id`,
      params,
      'all',
      trx,
    );
    // Both databases return the rows of a multi-row INSERT in the order of its VALUES.
    return (inserted as { id: unknown }[]).map((r) => Number(r.id));
  }

  /**
   * At start-up: leases a previous life of this server left (of `owner`; null: of anyone, for a
   * single-node SQLite server) are void, instances and removals alike.
   */
  async releaseLeases(owner: string | null, now: number): Promise<number> {
    const where = owner === null ? 'lease_owner IS NOT NULL' : 'lease_owner = ?';
    const params = owner === null ? [] : [owner];
    const voided: unknown[] = await this.connection.execute(`UPDATE service_instances SET lease_owner = NULL, lease_expires_at = NULL, next_check_at = ? WHERE ${where} RETURNING id`, [Math.round(now), ...params], 'all');
    await this.connection.execute(`UPDATE pending_removals SET lease_owner = NULL, lease_expires_at = NULL WHERE ${where}`, params, 'run');
    return voided.length;
  }

  /** Gives up leases without writing results; the instances are due at `dueAt`. */
  async release(owner: string, ids: string[], dueAt: number, trx?: unknown): Promise<void> {
    if (ids.length === 0) return;
    await this.connection.execute(
      `UPDATE service_instances SET lease_owner = NULL, lease_expires_at = NULL, next_check_at = ?
       WHERE lease_owner = ? AND id IN (${ids.map(() => '?').join(',')})`,
      [whole(dueAt), owner, ...ids],
      'run',
      trx,
    );
  }

  /** Makes instances due now (a mutation changed their intent, or an upstream channel moved). */
  async wake(where: { applicationIds?: string[]; serviceIds?: string[]; channelIds?: string[]; ids?: string[] }, now: number): Promise<number> {
    const clauses: string[] = [];
    const params: unknown[] = [Math.round(now)];
    for (const [column, values] of [['application_id', where.applicationIds], ['service_id', where.serviceIds], ['channel_id', where.channelIds], ['id', where.ids]] as const) {
      if (values?.length) {
        clauses.push(`${column} IN (${values.map(() => '?').join(',')})`);
        params.push(...values);
      }
    }
    if (clauses.length === 0) return 0;
    params.push(Math.round(now));
    const res = await this.connection.execute(
      `UPDATE service_instances SET next_check_at = ? WHERE (${clauses.join(' OR ')}) AND (next_check_at IS NULL OR next_check_at > ?) AND lease_owner IS NULL`,
      params,
      'run',
    );
    return typeof res === 'object' && res && 'affectedRows' in res ? Number((res as { affectedRows: number }).affectedRows) : 0;
  }

  private decode(r: Record<string, unknown>): InstanceSnapshot {
    const snapshot: InstanceSnapshot = {
      id: String(r.id),
      version: Number(r.version),
      applicationId: String(r.application_id),
      serviceId: String(r.service_id),
      channelId: String(r.channel_id),
      desiredReleaseId: (r.desired_release_id as string | null) ?? null,
      desiredState: parse(r.desired_state),
      targetReleaseId: (r.target_release_id as string | null) ?? null,
      targetState: parse(r.target_state),
      convergedReleaseId: (r.converged_release_id as string | null) ?? null,
      convergedAt: r.converged_at === null || r.converged_at === undefined ? null : Number(r.converged_at),
      status: r.status as InstanceSnapshot['status'],
      reasons: parse(r.reasons) ?? [],
      statusSince: Number(r.status_since),
      observed: null,
      paused: r.paused === true || r.paused === 1 || r.paused === '1',
      nextCheckAt: r.next_check_at === null || r.next_check_at === undefined ? null : Number(r.next_check_at),
      rollbackRequestedAt: r.rollback_requested_at === null || r.rollback_requested_at === undefined ? null : Number(r.rollback_requested_at),
      rollbackRequestedBy: (r.rollback_requested_by as string | null) ?? null,
      rollbackRequestedTo: (r.rollback_requested_to as string | null) ?? null,
      pin: parse(r.pin),
      promoteRequestedAt: r.promote_requested_at === null || r.promote_requested_at === undefined ? null : Number(r.promote_requested_at),
      promoteRequestedBy: (r.promote_requested_by as string | null) ?? null,
      engineState: parse(r.engine_state) ?? {},
    };
    return lazyObserved(snapshot, r.observed);
  }
}

/** The stored text of `observed` (SQLite), for comparing without parsing it. */
const OBSERVED_TEXT = Symbol('observed text');

/**
 * `observed` is parsed only when read: a tick whose fetch succeeded reports its own, so a steady
 * re-check never needs the stored one (it compares texts, see sameObserved), and the snapshot of a
 * converged instance holds a string rather than a decoded document.
 */
function lazyObserved(snapshot: InstanceSnapshot, raw: unknown): InstanceSnapshot {
  let value: unknown;
  let decoded = false;
  Object.defineProperty(snapshot, 'observed', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!decoded) [value, decoded] = [parse(raw), true];
      return value;
    },
    set: (v: unknown) => {
      [value, decoded] = [v, true];
    },
  });
  if (typeof raw === 'string') Object.defineProperty(snapshot, OBSERVED_TEXT, { value: raw });
  return snapshot;
}

/** Same observed state as stored: the same JSON text (as the engine wrote it), else deep equality. */
function sameObserved(before: InstanceSnapshot, now: unknown): boolean {
  const text = (before as { [OBSERVED_TEXT]?: string })[OBSERVED_TEXT];
  if (text !== undefined && now !== null && now !== undefined && text === JSON.stringify(now)) return true;
  return sameJson(before.observed ?? null, now ?? null);
}

/** True when a tick changed nothing but when the instance is checked next. */
function onlyScheduleChanged(before: InstanceSnapshot, u: InstanceUpdate): boolean {
  return (
    before.targetReleaseId === u.targetReleaseId &&
    before.convergedReleaseId === u.convergedReleaseId &&
    before.convergedAt === u.convergedAt &&
    before.status === u.status &&
    before.statusSince === u.statusSince &&
    sameJson(before.reasons, u.reasons) &&
    sameJson(before.targetState, u.targetState) &&
    sameObserved(before, u.observed) &&
    sameJson(before.engineState, u.engineState)
  );
}

/** Deep equality of JSON values; a key holding `undefined` counts as absent (as in JSON.stringify). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], other[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    count++;
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) count--;
  return count === 0;
}

interface WrittenColumn {
  name: string;
  type: 'bigint' | 'json' | 'text';
  value(u: InstanceUpdate): unknown;
}

/** A steady-state tick that found everything as it was only moves the schedule. */
const SCHEDULE_COLUMNS: readonly WrittenColumn[] = [{ name: 'next_check_at', type: 'bigint', value: (u) => u.nextCheckAt }];

/** Every column the engine owns. */
const FULL_COLUMNS: readonly WrittenColumn[] = [
  { name: 'target_release_id', type: 'text', value: (u) => u.targetReleaseId },
  { name: 'target_state', type: 'json', value: (u) => json(u.targetState) },
  { name: 'converged_release_id', type: 'text', value: (u) => u.convergedReleaseId },
  { name: 'converged_at', type: 'bigint', value: (u) => u.convergedAt },
  { name: 'status', type: 'text', value: (u) => u.status },
  { name: 'reasons', type: 'json', value: (u) => json(u.reasons) },
  { name: 'status_since', type: 'bigint', value: (u) => u.statusSince },
  { name: 'observed', type: 'json', value: (u) => json(u.observed ?? null) },
  { name: 'next_check_at', type: 'bigint', value: (u) => u.nextCheckAt },
  { name: 'engine_state', type: 'json', value: (u) => json(u.engineState) },
];

function whole(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : value;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** SQLite hands JSON columns back as text, PostgreSQL's jsonb as objects. */
function parse<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
