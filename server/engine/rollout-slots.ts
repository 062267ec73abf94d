import type { MikroORM } from '@mikro-orm/core';
import type { DatabaseKind } from '../store/orm.js';
import { transact } from '../store/transact.js';

/** A limit on rollouts at once: one channel's maxParallel, or one runtime's maxConcurrentRollouts. */
export interface SlotScope {
  key: string;
  limit: number;
  /** For the reason of what waits: "production", "runtime vms". */
  label: string;
}

export interface SlotRequest {
  instanceId: string;
  scopes: SlotScope[];
}

export interface SlotRefusal {
  instanceId: string;
  scope: SlotScope;
  holders: number;
}

/**
 * Rollout slots: a row per (instance, scope) while the instance rolls out (or back) under a limit.
 * Acquired before the tick that starts the rollout, in one short transaction per batch that takes
 * an advisory lock per scope on PostgreSQL (so two replicas never both take the last slot; on
 * SQLite one server writes at a time anyway), released in the transaction that records the end of
 * the rollout. A slot whose instance is gone is swept when the scope is next looked at.
 */
export class RolloutSlots {
  constructor(
    private readonly orm: MikroORM,
    private readonly kind: DatabaseKind,
    private readonly owner: string,
    /** A slot acquired this long ago whose instance does not roll out is stale (a crash between acquiring and recording). */
    private readonly staleAfterMs: number,
  ) {}

  /** Grants what fits, in request order; an instance that already holds a slot keeps it. */
  async acquire(requests: SlotRequest[], now: number): Promise<SlotRefusal[]> {
    if (requests.length === 0) return [];
    const scopes = new Map<string, SlotScope>();
    for (const r of requests) for (const s of r.scopes) scopes.set(s.key, s);
    const keys = [...scopes.keys()].sort(); // one lock order for every replica: no deadlocks
    return transact(this.orm.em.fork(), async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      const run = (sql: string, params: unknown[] = []) => conn.execute(sql, params, 'all', ctx) as Promise<Record<string, unknown>[]>;
      if (this.kind === 'postgresql') for (const key of keys) await run('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
      const marks = keys.map(() => '?').join(',');
      await run(
        `DELETE FROM rollout_slots WHERE scope IN (${marks}) AND (instance_id NOT IN (SELECT id FROM service_instances)
           OR (acquired_at < ? AND instance_id IN (SELECT id FROM service_instances WHERE target_release_id = converged_release_id AND status <> 'ROLLING_BACK')))`,
        [...keys, Math.round(now - this.staleAfterMs)],
      );
      const held = await run(`SELECT scope, instance_id FROM rollout_slots WHERE scope IN (${marks})`, keys);
      const holders = new Map<string, Set<string>>(keys.map((k) => [k, new Set()]));
      for (const h of held) holders.get(String(h.scope))?.add(String(h.instance_id));
      const refused: SlotRefusal[] = [];
      for (const r of requests) {
        const full = r.scopes.find((s) => !holders.get(s.key)!.has(r.instanceId) && holders.get(s.key)!.size >= s.limit);
        if (full) {
          refused.push({ instanceId: r.instanceId, scope: full, holders: holders.get(full.key)!.size });
          continue;
        }
        for (const s of r.scopes) {
          if (holders.get(s.key)!.has(r.instanceId)) continue;
          holders.get(s.key)!.add(r.instanceId);
          await run('INSERT INTO rollout_slots (instance_id, scope, owner, acquired_at) VALUES (?, ?, ?, ?)', [r.instanceId, s.key, this.owner, Math.round(now)]);
        }
      }
      return refused;
    });
  }

  /** The rollouts of these instances are over: their slots go (inside the caller's transaction). Returns the freed scopes. */
  async release(instanceIds: string[], execute: (sql: string, params: unknown[]) => Promise<unknown>): Promise<string[]> {
    if (instanceIds.length === 0) return [];
    const marks = instanceIds.map(() => '?').join(',');
    // Two statements: SQLite's driver answers a DELETE with a row count, not its RETURNING rows.
    const rows = (await execute(`SELECT DISTINCT scope FROM rollout_slots WHERE instance_id IN (${marks})`, instanceIds)) as { scope: string }[];
    if (rows.length === 0) return [];
    await execute(`DELETE FROM rollout_slots WHERE instance_id IN (${marks})`, instanceIds);
    return rows.map((r) => String(r.scope));
  }
}
