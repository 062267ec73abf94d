import type { EntityManager } from '@mikro-orm/core';
import { actorName, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { ReleaseChannelRow, ReleaseRow, ServiceInstanceRow, type EventRow, type ServiceRow } from '../store/entities/index.js';
import { requestRollback } from './instance-intent.js';
import { releaseLabelOf } from './release-decision.js';
import { channelNamed, requireReleaseRight, serviceNamed, userAction, visibleApplicationNamed, type ActionOutcome } from './user-action.js';

export interface RollbackServiceInput {
  application: string;
  service: string;
  channel?: string | null;
}

/**
 * rollbackService: asks the engine to treat the release each instance steers to as failed there
 * (marked bad, rolled back to the last release that converged in that channel). The request is a
 * timestamp the engine acts on once; the decision itself stays the engine's.
 */
export async function rollbackService(rootEm: EntityManager, viewer: Viewer, input: RollbackServiceInput): Promise<ActionOutcome<ServiceRow>> {
  const forbidden = requireReleaseRight(viewer, 'roll back services', ['service']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  return userAction(rootEm, async (em) => {
    const app = await visibleApplicationNamed(em, viewer, input.application);
    const service = await serviceNamed(em, app, input.service);
    const channel = input.channel ? await channelNamed(em, app, input.channel) : undefined;
    const instances = await em.find(ServiceInstanceRow, { serviceId: service.id, ...(channel ? { channelId: channel.id } : {}) });
    const deployed = instances.filter((i) => i.targetReleaseId);
    if (deployed.length === 0) {
      const where = channel ? `in ${channel.name}` : 'in any channel';
      throw new UserErrors([userError('INVALID_INPUT', `nothing was ever deployed of ${service.name} ${where}: there is nothing to roll back`, [channel ? 'channel' : 'service'])]);
    }
    await requestRollback(em, deployed.map((i) => i.id), Date.now());

    const [channels, releases] = await Promise.all([
      em.find(ReleaseChannelRow, { id: { $in: deployed.map((i) => i.channelId) } }),
      em.find(ReleaseRow, { id: { $in: deployed.map((i) => i.targetReleaseId!) } }),
    ]);
    const channelName = new Map(channels.map((c) => [c.id, c.name]));
    const label = new Map(releases.map((r) => [r.id, releaseLabelOf(r)]));
    const from = deployed.map((i) => `${channelName.get(i.channelId)} (from ${label.get(i.targetReleaseId!)})`).sort().join(', ');
    const actor = actorName(viewer);
    const events: EventRow[] = [
      recordEvent(em, {
        type: 'ROLLBACK_REQUESTED',
        actor,
        applicationId: app.id,
        subject: channel ? `ServiceInstance ${app.name}/${channel.name}/${service.name}` : `Service ${app.name}/${service.name}`,
        subjectId: channel ? deployed[0]!.id : service.id,
        message: `${actor} asked to roll back ${service.name} in ${from}`,
        data: { channels: deployed.map((i) => channelName.get(i.channelId)).sort(), instanceIds: deployed.map((i) => i.id) },
      }),
    ];
    return { value: service, events };
  });
}
