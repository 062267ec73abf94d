import type { EntityManager } from '@mikro-orm/core';
import { actorName, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { rollbackTargetOf } from '../engine/rollback.js';
import type { EngineState } from '../engine/types.js';
import { ReleaseChannelRow, ReleaseRow, ServiceInstanceRow, type EventRow, type ServiceRow } from '../store/entities/index.js';
import { requestRollback, setPin } from './instance-intent.js';
import { channelNamed, requireReleaseRight, serviceNamed, userAction, visibleApplicationNamed, type ActionOutcome } from './user-action.js';

export interface RollbackServiceInput {
  application: string;
  service: string;
  channel?: string | null;
  reason?: string | null;
  /** Row id of the release to go back to (default: the newest earlier one that converged there). */
  toReleaseId?: string | null;
  /** Also pin the service there, so automation does not move it on. */
  pin?: boolean | null;
  /** Admins only: go back to a release that is marked bad there. */
  allowBad?: boolean | null;
}

/**
 * rollbackService: asks the engine to take each instance back from the release it runs (or rolls
 * out) to the newest earlier release that converged there, and to mark the one it leaves bad there
 * so automation never brings it back (a new release clears the way). Without a channel, every
 * channel that has somewhere to go back to. Nowhere to go back to is a user error that changes
 * nothing. The request is a timestamp the engine acts on once.
 */
export interface RollbackMove {
  channel: string;
  from: ReleaseRow;
  to: ReleaseRow;
}

export async function rollbackService(rootEm: EntityManager, viewer: Viewer, input: RollbackServiceInput): Promise<ActionOutcome<{ service: ServiceRow; moves: RollbackMove[] }>> {
  const forbidden = requireReleaseRight(viewer, 'roll back services', ['service']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  return userAction(rootEm, async (em) => {
    const app = await visibleApplicationNamed(em, viewer, input.application);
    const service = await serviceNamed(em, app, input.service);
    const channel = input.channel ? await channelNamed(em, app, input.channel) : undefined;
    const instances = await em.find(ServiceInstanceRow, { serviceId: service.id, ...(channel ? { channelId: channel.id } : {}) });
    const chosen = input.toReleaseId ? await em.findOne(ReleaseRow, { id: input.toReleaseId, serviceId: service.id }) : undefined;
    if (input.toReleaseId && !chosen) throw new UserErrors([userError('NOT_FOUND', `${service.name} has no such release`, ['to'])]);
    const allChannels = await em.find(ReleaseChannelRow, { applicationId: app.id });
    const nameOf = new Map(allChannels.map((c) => [c.id, c.name]));
    const moves = instances.flatMap((i) => {
      const es = i.engineState as EngineState;
      if (!i.targetReleaseId) return [];
      if (chosen) {
        // Going to a chosen release: it must be compiled for that channel and differ from what is targeted.
        return chosen.states[nameOf.get(i.channelId) ?? ''] && chosen.id !== i.targetReleaseId ? [{ instance: i, from: i.targetReleaseId, to: chosen.id, bad: (es.badReleaseIds ?? []).includes(chosen.id) }] : [];
      }
      const to = rollbackTargetOf(es, i.targetReleaseId, i.targetState?.digest);
      return to ? [{ instance: i, from: i.targetReleaseId, to: to.releaseId, bad: false }] : [];
    });
    if (moves.length === 0) {
      const where = channel ? `in ${channel.name}` : 'in any channel';
      const why = chosen ? `${chosen.label} is what runs there (or it has no state there)` : 'no earlier release converged there (or every earlier one is marked bad)';
      throw new UserErrors([userError('NOTHING_TO_ROLL_BACK_TO', `nothing to roll ${service.name} back to ${where}: ${why}; nothing was changed`, [channel ? 'channel' : 'service'])]);
    }
    const badOnes = moves.filter((m) => m.bad);
    if (badOnes.length && !(input.allowBad && viewer.role === 'admin')) {
      const where = badOnes.map((m) => nameOf.get(m.instance.channelId)).sort().join(', ');
      throw new UserErrors([
        userError('FORBIDDEN', `${chosen!.label} is marked bad in ${where} (it failed or was rolled back there); rolling back to it needs an admin and allowBad: true`, ['to']),
      ]);
    }
    const actor = actorName(viewer);
    const now = Date.now();
    // One request per target release (every move goes to `chosen`, or each to its own previous release).
    for (const to of new Set(moves.map((m) => (chosen ? m.to : null)))) {
      await requestRollback(em, moves.filter((m) => (chosen ? m.to === to : true)).map((m) => m.instance.id), now, actor, to);
    }
    if (input.pin) {
      const reason = input.reason?.trim() || 'rolled back and pinned';
      for (const m of moves) await setPin(em, m.instance.id, { releaseId: m.to, by: actor, reason, at: now });
    }

    const channels = await em.find(ReleaseChannelRow, { id: { $in: moves.map((m) => m.instance.channelId) } });
    const releases = await em.find(ReleaseRow, { id: { $in: moves.flatMap((m) => [m.from, m.to]) } });
    const channelName = new Map(channels.map((c) => [c.id, c.name]));
    const label = new Map(releases.map((r) => [r.id, r.label]));
    const what = moves.map((m) => `${channelName.get(m.instance.channelId)} from ${label.get(m.from)} to ${label.get(m.to)}`).sort().join(', ');
    const reason = input.reason?.trim() ? `: ${input.reason.trim()}` : '';
    const events: EventRow[] = [
      recordEvent(em, {
        type: 'ROLLBACK_REQUESTED',
        actor,
        applicationId: app.id,
        subject: channel ? `ServiceInstance ${app.name}/${channel.name}/${service.name}` : `Service ${app.name}/${service.name}`,
        subjectId: channel ? moves[0]!.instance.id : service.id,
        message: `${actor} asked to roll back ${service.name} in ${what}${input.pin ? ' and pinned it there' : ''}${reason}`,
        data: { channels: moves.map((m) => channelName.get(m.instance.channelId)).sort(), instanceIds: moves.map((m) => m.instance.id), ...(reason ? { reason: input.reason!.trim() } : {}) },
      }),
    ];
    const byId = new Map(releases.map((r) => [r.id, r]));
    const planned = moves.map((m) => ({ channel: channelName.get(m.instance.channelId)!, from: byId.get(m.from)!, to: byId.get(m.to)! })).sort((a, b) => a.channel.localeCompare(b.channel));
    return { value: { service, moves: planned }, events };
  });
}
