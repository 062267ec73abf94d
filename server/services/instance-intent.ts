import type { EntityManager } from '@mikro-orm/core';
import type { CompiledChannelState } from '../compiler/types.js';
import type { InstancePin } from '../store/entities/index.js';

/**
 * Writes the user's intent onto instance rows with one targeted UPDATE each, not through the unit
 * of work: the engine updates the same rows all the time, and a version check here would turn its
 * harmless concurrent write into a failed mutation. Bumping `version` makes the engine's write for
 * a tick in flight skip the row instead, so the next tick starts from the new intent.
 */
/**
 * The schedule value of "the user just asked for this": earlier than any routine check, so the
 * engine's next claim (ordered by next_check_at) takes these instances first, however many
 * converged instances are due for their drift check at the same moment.
 */
export const URGENT = 0;

export async function setDesiredState(em: EntityManager, instanceId: string, releaseId: string, state: CompiledChannelState, now: number, label: string): Promise<void> {
  await execute(
    em,
    'UPDATE service_instances SET desired_release_id = ?, desired_state = ?, next_check_at = ?, version = version + 1, updated_at = ? WHERE id = ?',
    [releaseId, JSON.stringify(state), URGENT, now, instanceId],
  );
  // An instance that never ran anything says what is true from the first moment: a release is
  // on its way (not "no release has been created yet" until the engine's first look).
  const queued = [{ code: 'NOT_YET_CHECKED', message: `${label} was just created; the engine looks at it next`, since: new Date(now).toISOString() }];
  await execute(em, "UPDATE service_instances SET reasons = ? WHERE id = ? AND status = 'PENDING'", [JSON.stringify(queued), instanceId]);
}


export async function setInstancePaused(em: EntityManager, where: { column: 'id' | 'channel_id' | 'application_id'; value: string; serviceId?: string }, paused: boolean, now: number): Promise<void> {
  const extra = where.serviceId ? ' AND service_id = ?' : '';
  await execute(
    em,
    `UPDATE service_instances SET paused = ?, next_check_at = ?, version = version + 1, updated_at = ? WHERE ${where.column} = ?${extra}`,
    [paused, URGENT, now, where.value, ...(where.serviceId ? [where.serviceId] : [])],
  );
}

export async function requestRollback(em: EntityManager, instanceIds: string[], now: number, requestedBy: string, to: string | null = null): Promise<void> {
  if (instanceIds.length === 0) return;
  await execute(
    em,
    `UPDATE service_instances SET rollback_requested_at = ?, rollback_requested_by = ?, rollback_requested_to = ?, next_check_at = ?, version = version + 1, updated_at = ? WHERE id IN (${instanceIds.map(() => '?').join(',')})`,
    [now, requestedBy, to, URGENT, now, ...instanceIds],
  );
}

/** Pins an instance (or unpins it, with null); the engine looks at it at once. */
export async function setPin(em: EntityManager, instanceId: string, pin: InstancePin | null): Promise<void> {
  const now = Date.now();
  await execute(em, 'UPDATE service_instances SET pin = ?, next_check_at = ?, version = version + 1, updated_at = ? WHERE id = ?', [pin ? JSON.stringify(pin) : null, URGENT, now, instanceId]);
}

/** Makes instances due now, e.g. after an approval. */
export async function wakeInstances(em: EntityManager, instanceIds: string[], _now: number): Promise<void> {
  if (instanceIds.length === 0) return;
  await execute(em, `UPDATE service_instances SET next_check_at = ? WHERE id IN (${instanceIds.map(() => '?').join(',')})`, [URGENT, ...instanceIds]);
}

async function execute(em: EntityManager, sql: string, params: unknown[]): Promise<void> {
  await em.getConnection().execute(sql, params, 'run', em.getTransactionContext());
}
