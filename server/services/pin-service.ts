import type { EntityManager } from '@mikro-orm/core';
import { actorName, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { ReleaseRow, ServiceInstanceRow, type EventRow, type InstancePin } from '../store/entities/index.js';
import { setPin } from './instance-intent.js';
import { channelNamed, requireReleaseRight, serviceNamed, userAction, visibleApplicationNamed, type ActionOutcome } from './user-action.js';

export interface PinInput {
  application: string;
  service: string;
  channel: string;
  reason?: string | null;
}

const MAX_REASON = 500;

/**
 * pinService: hold a service in a channel at the release it runs now. Automation never moves a
 * pinned instance (newer releases wait there with PINNED, naming who pinned it and why); channels
 * that depend on this one wait for it like for any upstream. Pinning again replaces the reason.
 */
export async function pinService(rootEm: EntityManager, viewer: Viewer, input: PinInput): Promise<ActionOutcome<{ instance: ServiceInstanceRow; applicationId: string }>> {
  const forbidden = requireReleaseRight(viewer, 'pin services', ['service']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  const reason = (input.reason ?? '').trim();
  if (!reason) return { events: [], userErrors: [userError('INVALID_INPUT', 'a pin needs a reason: say why the service must stay where it is', ['reason'])] };
  if (reason.length > MAX_REASON) return { events: [], userErrors: [userError('INVALID_INPUT', `the reason is ${reason.length} characters; at most ${MAX_REASON}`, ['reason'])] };
  return userAction(rootEm, async (em) => {
    const { app, service, channel, instance } = await instanceOf(em, viewer, input);
    const at = instance.convergedReleaseId ?? instance.targetReleaseId;
    if (!at) throw new UserErrors([userError('INVALID_INPUT', `nothing runs of ${service.name} in ${channel.name} yet: there is nothing to pin`, ['channel'])]);
    const release = await em.findOneOrFail(ReleaseRow, { id: at });
    const actor = actorName(viewer);
    const pin: InstancePin = { releaseId: at, by: actor, reason, at: Date.now() };
    await setPin(em, instance.id, pin);
    const events: EventRow[] = [
      recordEvent(em, {
        type: 'SERVICE_PINNED',
        actor,
        applicationId: app.id,
        subject: `ServiceInstance ${app.name}/${channel.name}/${service.name}`,
        subjectId: instance.id,
        message: `${actor} pinned ${service.name} in ${channel.name} at ${release.label}: ${reason}`,
        data: { channel: channel.name, releaseId: at, reason },
      }),
    ];
    return { value: { instance, applicationId: app.id }, events };
  });
}

/** unpinService: automation may move the instance again; newer releases go on by their gates. */
export async function unpinService(rootEm: EntityManager, viewer: Viewer, input: Omit<PinInput, 'reason'>): Promise<ActionOutcome<{ instance: ServiceInstanceRow; applicationId: string }>> {
  const forbidden = requireReleaseRight(viewer, 'unpin services', ['service']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  return userAction(rootEm, async (em) => {
    const { app, service, channel, instance } = await instanceOf(em, viewer, input);
    if (!instance.pin) return { value: { instance, applicationId: app.id }, events: [] };
    const actor = actorName(viewer);
    await setPin(em, instance.id, null);
    const events: EventRow[] = [
      recordEvent(em, {
        type: 'SERVICE_UNPINNED',
        actor,
        applicationId: app.id,
        subject: `ServiceInstance ${app.name}/${channel.name}/${service.name}`,
        subjectId: instance.id,
        message: `${actor} unpinned ${service.name} in ${channel.name} (pinned by ${instance.pin.by}: ${instance.pin.reason})`,
        data: { channel: channel.name },
      }),
    ];
    return { value: { instance, applicationId: app.id }, events };
  });
}

async function instanceOf(em: EntityManager, viewer: Viewer, input: Omit<PinInput, 'reason'>) {
  const app = await visibleApplicationNamed(em, viewer, input.application);
  const service = await serviceNamed(em, app, input.service);
  const channel = await channelNamed(em, app, input.channel);
  const instance = await em.findOne(ServiceInstanceRow, { serviceId: service.id, channelId: channel.id });
  if (!instance) throw new UserErrors([userError('NOT_FOUND', `service ${service.name} has no instance in ${channel.name}`, ['channel'])]);
  return { app, service, channel, instance };
}
