import type { DatabaseKind } from '../store/orm.js';
import { rawExecute, type RawConnection, type RawExecute } from './raw-sql.js';
import type { ScheduleRow } from './schedule.js';
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

/** What a batch's write did with each outcome. */
export interface WriteResult {
  /** Rows written (their outcome changed something). */
  written: Set<string>;
  /** Outcomes that changed nothing but when the instance is looked at next: nothing was written. */
  unchanged: Set<string>;
  /** Not written: the API changed the row's intent meanwhile, or this replica no longer owns its partition. */
  refused: Set<string>;
}

/**
 * The engine's hot path: claims, reads and writes of service_instances in batched SQL through the
 * ORM's connection (one statement per batch, not one per row; see STACK.md for why). The API uses
 * the ORM's unit of work for the same table; optimistic versions keep the two from losing writes.
 */
export class InstanceStore {
  private readonly connection: { execute: RawExecute };
  /** Where reads outside transactions go: a read-only connection on SQLite (sqlite-reader.ts), else the same. */
  private readonly reads: RawExecute;

  constructor(
    connection: RawConnection,
    private readonly kind: DatabaseKind,
    reads?: RawExecute,
  ) {
    this.connection = { execute: rawExecute(connection) };
    this.reads = reads ?? this.connection.execute;
  }

  /** The statement runner, shared with the partition leases. */
  get execute(): RawExecute {
    return this.connection.execute;
  }

  /**
   * A page of the schedule rows of these partitions, by id after `afterId` (a takeover of a
   * million instances reads them in pages rather than in one result).
   */
  async scheduleRows(partitions: number[], afterId: string, limit: number): Promise<ScheduleRow[]> {
    if (partitions.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.reads(
      `SELECT id, partition, application_id, service_id, channel_id, next_check_at FROM service_instances
       WHERE partition IN (${partitions.map(() => '?').join(',')}) AND id > ? ORDER BY id LIMIT ?`,
      [...partitions, afterId, limit],
    );
    return rows.map(scheduleRow);
  }

  /** The schedule rows of these applications' instances in these partitions (after an intent change). */
  async scheduleRowsOf(applicationIds: string[], partitions: number[]): Promise<ScheduleRow[]> {
    if (applicationIds.length === 0 || partitions.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.reads(
      `SELECT id, partition, application_id, service_id, channel_id, next_check_at FROM service_instances
       WHERE application_id IN (${applicationIds.map(() => '?').join(',')}) AND partition IN (${partitions.map(() => '?').join(',')})`,
      [...applicationIds, ...partitions],
    );
    return rows.map(scheduleRow);
  }

  async load(ids: string[]): Promise<InstanceSnapshot[]> {
    if (ids.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.reads(`SELECT * FROM service_instances WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    return rows.map((r) => this.decode(r));
  }

  /** Converged release, convergence time and engine state of every instance of these services. */
  async siblings(serviceIds: string[]): Promise<InstanceSnapshot[]> {
    if (serviceIds.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.reads(
      `SELECT * FROM service_instances WHERE service_id IN (${serviceIds.map(() => '?').join(',')})`,
      serviceIds,
    );
    return rows.map((r) => this.decode(r));
  }

  /**
   * Writes tick outcomes in at most one statement. An outcome that changed nothing but when the
   * instance is looked at next (compared with `before`) is not written at all: the schedule lives
   * in the owner's memory. The others are written only where the row's version is still the one
   * the tick started from (else the API changed its intent meanwhile) and where this replica still
   * owns the row's partition at the generation it claimed (`generationOf`; the fencing check).
   */
  async write(owner: string, updates: InstanceUpdate[], now: number, generationOf: (id: string) => number | undefined, trx?: unknown, before?: ReadonlyMap<string, InstanceSnapshot>): Promise<WriteResult> {
    const result: WriteResult = { written: new Set(), unchanged: new Set(), refused: new Set() };
    const full: { update: InstanceUpdate; generation: number }[] = [];
    for (const u of updates) {
      const prev = before?.get(u.id);
      const generation = generationOf(u.id);
      if (prev && onlyScheduleChanged(prev, u)) result.unchanged.add(u.id);
      else if (generation === undefined) result.refused.add(u.id);
      else full.push({ update: u, generation });
    }
    for (const id of await this.writeColumns(owner, full, FULL_COLUMNS, now, trx)) result.written.add(id);
    for (const { update } of full) if (!result.written.has(update.id)) result.refused.add(update.id);
    return result;
  }

  private cast(i: number, type: 'int' | 'bigint' | 'json' | 'text'): string {
    const col = `v.column${i}`;
    if (this.kind !== 'postgresql') return col;
    return type === 'int' ? `${col}::integer` : type === 'bigint' ? `${col}::bigint` : type === 'json' ? `${col}::jsonb` : col;
  }

  /**
   * One `UPDATE … FROM (VALUES …)` for a batch: sets `columns` plus `updated_at` and bumps the
   * version, only where the version is still the one read and the partition is still this
   * owner's at the generation it claimed.
   */
  private async writeColumns(owner: string, updates: { update: InstanceUpdate; generation: number }[], columns: readonly WrittenColumn[], now: number, trx?: unknown): Promise<string[]> {
    if (updates.length === 0) return [];
    // VALUES columns: 1 id, 2 expected version, 3 partition generation, then one per written column, then updated_at.
    const assignments = columns.map((c, i) => `${c.name} = ${this.cast(i + 4, c.type)}`);
    assignments.push(`updated_at = ${this.cast(columns.length + 4, 'bigint')}`);
    const row = '(' + new Array(columns.length + 4).fill('?').join(',') + ')';
    const params: unknown[] = [];
    // Integer columns get integers: PostgreSQL refuses 1012.5 for a bigint (a backoff of 1.5^n).
    const valueOf = (c: WrittenColumn, u: InstanceUpdate) => (c.type === 'bigint' ? whole(c.value(u)) : c.value(u));
    for (const { update: u, generation } of updates) params.push(u.id, u.expectedVersion, generation, ...columns.map((c) => valueOf(c, u)), whole(now));
    const written: { id: string }[] = await this.connection.execute(
      `UPDATE service_instances AS si SET
         ${assignments.join(',\n         ')},
         version = si.version + 1
       FROM (VALUES ${updates.map(() => row).join(',')}) AS v
       WHERE si.id = v.column1 AND si.version = ${this.cast(2, 'int')}
         AND EXISTS (SELECT 1 FROM engine_partitions p WHERE p.id = si.partition AND p.owner = ? AND p.generation = ${this.cast(3, 'bigint')})
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
   * At start-up: removal leases a previous life of this server left (of `owner`; null: of anyone,
   * for a single-node SQLite server) are void. Instance leases of before partitions are cleared.
   */
  async releaseLeases(owner: string | null, now: number): Promise<number> {
    const where = owner === null ? 'lease_owner IS NOT NULL' : 'lease_owner = ?';
    const params = owner === null ? [] : [owner];
    const voided: unknown[] = await this.connection.execute(`UPDATE service_instances SET lease_owner = NULL, lease_expires_at = NULL, next_check_at = ? WHERE ${where} RETURNING id`, [Math.round(now), ...params], 'all');
    await this.connection.execute(`UPDATE pending_removals SET lease_owner = NULL, lease_expires_at = NULL WHERE ${where}`, params, 'run');
    return voided.length;
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
      `UPDATE service_instances SET next_check_at = ? WHERE (${clauses.join(' OR ')}) AND (next_check_at IS NULL OR next_check_at > ?)`,
      params,
      'run',
    );
    return typeof res === 'object' && res && 'affectedRows' in res ? Number((res as { affectedRows: number }).affectedRows) : 0;
  }

  private decode(r: Record<string, unknown>): InstanceSnapshot {
    const snapshot: InstanceSnapshot = {
      id: String(r.id),
      version: Number(r.version),
      partition: Number(r.partition ?? 0),
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

function scheduleRow(r: Record<string, unknown>): ScheduleRow {
  return {
    id: String(r.id),
    partition: Number(r.partition),
    applicationId: String(r.application_id),
    serviceId: String(r.service_id),
    channelId: String(r.channel_id),
    nextCheckAt: r.next_check_at === null || r.next_check_at === undefined ? null : Number(r.next_check_at),
  };
}

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
