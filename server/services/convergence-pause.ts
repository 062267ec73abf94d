import type { EntityManager } from '@mikro-orm/core';
import { actorName, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { ServiceInstanceRow, type ApplicationRow, type EventRow } from '../store/entities/index.js';
import { setInstancePaused } from './instance-intent.js';
import { channelNamed, requireReleaseRight, serviceNamed, userAction, visibleApplicationNamed, type ActionOutcome } from './user-action.js';

/** What to pause: a whole application, one channel, one service everywhere, or one instance. */
export interface ConvergenceScope {
  application: string;
  channel?: string | null;
  service?: string | null;
}

/**
 * pauseConvergence / resumeConvergence. The engine keeps fetching and reporting a paused instance
 * (status PAUSED) but applies nothing, whether the flag sits on the instance, its channel or its
 * application. Setting a flag to what it already is changes nothing and records no event.
 */
export async function setConvergencePaused(rootEm: EntityManager, viewer: Viewer, scope: ConvergenceScope, paused: boolean): Promise<ActionOutcome<ApplicationRow>> {
  const forbidden = requireReleaseRight(viewer, `${paused ? 'pause' : 'resume'} convergence`, ['application']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  return userAction(rootEm, async (em) => {
    const app = await visibleApplicationNamed(em, viewer, scope.application);
    const channel = scope.channel ? await channelNamed(em, app, scope.channel) : undefined;
    const service = scope.service ? await serviceNamed(em, app, scope.service) : undefined;
    const now = Date.now();
    let subject: { subject: string; subjectId: string; what: string };
    let changed: boolean;

    if (service) {
      const instances = await em.find(ServiceInstanceRow, { serviceId: service.id, ...(channel ? { channelId: channel.id } : {}) });
      if (channel && instances.length === 0) throw new UserErrors([userError('NOT_FOUND', `service ${service.name} has no instance in ${channel.name}`, ['service'])]);
      changed = instances.some((i) => i.paused !== paused);
      // Instance rows are shared with the engine: targeted UPDATEs only (see instance-intent.ts).
      if (changed) {
        await setInstancePaused(em, channel ? { column: 'id', value: instances[0]!.id } : { column: 'application_id', value: app.id, serviceId: service.id }, paused, now);
      }
      subject = channel
        ? { subject: `ServiceInstance ${app.name}/${channel.name}/${service.name}`, subjectId: instances[0]!.id, what: `${service.name} in ${app.name}/${channel.name}` }
        : { subject: `Service ${app.name}/${service.name}`, subjectId: service.id, what: `${service.name} in every channel of ${app.name}` };
    } else if (channel) {
      changed = channel.paused !== paused;
      channel.paused = paused;
      subject = { subject: `ReleaseChannel ${app.name}/${channel.name}`, subjectId: channel.id, what: `channel ${app.name}/${channel.name}` };
    } else {
      changed = app.paused !== paused;
      app.paused = paused;
      subject = { subject: `Application ${app.name}`, subjectId: app.id, what: `application ${app.name}` };
    }

    const events: EventRow[] = [];
    if (changed) {
      const actor = actorName(viewer);
      events.push(
        recordEvent(em, {
          type: paused ? 'CONVERGENCE_PAUSED' : 'CONVERGENCE_RESUMED',
          actor,
          applicationId: app.id,
          subject: subject.subject,
          subjectId: subject.subjectId,
          message: `${actor} ${paused ? 'paused' : 'resumed'} convergence of ${subject.what}`,
          data: { channel: channel?.name ?? null, service: service?.name ?? null },
        }),
      );
    }
    return { value: app, events };
  });
}
