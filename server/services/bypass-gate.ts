import type { EntityManager } from '@mikro-orm/core';
import { actorName, canSeeApplication, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { ApplicationRow, GateBypassRow, ReleaseRow, ServiceInstanceRow, ServiceRow, type BypassableGate, type EventRow } from '../store/entities/index.js';
import { wakeInstances } from './instance-intent.js';
import { channelNamed, userAction, type ActionOutcome } from './user-action.js';

export interface BypassGateInput {
  releaseId: string;
  channel: string;
  gate: BypassableGate;
  reason: string;
}

const MAX_REASON = 500;

/**
 * bypassGate: an admin's deliberate decision that one gate does not hold one release in one
 * channel (a hotfix past an approval, a soak cut short), with a required reason, recorded as an
 * event. The only way around a gate. A release marked bad upstream is never promoted, bypass or not.
 */
export async function bypassGate(rootEm: EntityManager, viewer: Viewer, input: BypassGateInput): Promise<ActionOutcome<{ bypass: GateBypassRow; release: ReleaseRow; applicationId: string }>> {
  if (viewer.role !== 'admin') return { events: [], userErrors: [userError('FORBIDDEN', `role ${viewer.role} cannot bypass gates; an admin token is needed`, ['gate'])] };
  const reason = input.reason.trim();
  if (!reason) return { events: [], userErrors: [userError('INVALID_INPUT', 'a bypass needs a reason: say why this release may skip the gate', ['reason'])] };
  if (reason.length > MAX_REASON) return { events: [], userErrors: [userError('INVALID_INPUT', `the reason is ${reason.length} characters; at most ${MAX_REASON}`, ['reason'])] };
  return userAction(rootEm, async (em) => {
    const release = await em.findOne(ReleaseRow, { id: input.releaseId });
    const app = release && (await em.findOne(ApplicationRow, { id: release.applicationId }));
    if (!release || !app || !canSeeApplication(viewer, app.name)) throw new UserErrors([userError('NOT_FOUND', 'unknown release', ['release'])]);
    const channel = await channelNamed(em, app, input.channel);
    const state = release.states[channel.name];
    const gates = state?.gates ?? [];
    const has = input.gate === 'dependsOn' ? (state?.dependsOn.length ?? 0) > 0 : gates.some((g) => g.type === input.gate);
    if (!has) {
      const there = [...(state?.dependsOn.length ? ['dependsOn'] : []), ...new Set(gates.map((g) => g.type))];
      throw new UserErrors([userError('INVALID_INPUT', `${release.label} has no ${input.gate} gate in ${channel.name}${there.length ? `; its gates there: ${there.join(', ')}` : '; it has no gates there'}`, ['gate'])]);
    }
    const existing = await em.findOne(GateBypassRow, { releaseId: release.id, channelId: channel.id, gate: input.gate });
    if (existing) return { value: { bypass: existing, release, applicationId: app.id }, events: [] };
    const actor = actorName(viewer);
    const bypass = em.create(GateBypassRow, { releaseId: release.id, channelId: channel.id, applicationId: app.id, gate: input.gate, actor, reason });
    const service = await em.findOneOrFail(ServiceRow, { id: release.serviceId });
    const events: EventRow[] = [
      recordEvent(em, {
        type: 'GATE_BYPASSED',
        actor,
        applicationId: app.id,
        subject: `Release ${app.name}/${service.name}#${release.number}`,
        subjectId: release.id,
        message: `${actor} bypassed the ${input.gate} gate for ${release.label} of ${service.name} in ${channel.name}: ${reason}`,
        data: { channel: channel.name, gate: input.gate, reason, releaseId: release.id },
      }),
    ];
    await em.flush();
    const instance = await em.findOne(ServiceInstanceRow, { serviceId: release.serviceId, channelId: channel.id });
    if (instance) await wakeInstances(em, [instance.id], Date.now());
    return { value: { bypass, release, applicationId: app.id }, events };
  });
}
