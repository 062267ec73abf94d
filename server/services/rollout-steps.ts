import type { EntityManager } from '@mikro-orm/core';
import { actorName, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { currentStep, describeStep } from '../engine/steps.js';
import type { EngineState } from '../engine/types.js';
import { ReleaseRow, ServiceInstanceRow, type EventRow } from '../store/entities/index.js';
import { URGENT } from './instance-intent.js';
import { rollbackService, type RollbackMove } from './rollback-service.js';
import { channelNamed, requireReleaseRight, serviceNamed, userAction, visibleApplicationNamed, type ActionOutcome } from './user-action.js';

export interface RolloutStepInput {
  application: string;
  service: string;
  channel: string;
  reason?: string | null;
}

/**
 * promoteRollout: skip the rest of the current step of a progressive rollout (its pause or its
 * analysis, or the wait for its replicas) and start the next one. The engine acts on the request
 * once; promoting the last step (every replica) is refused, since there is nothing left to skip.
 */
export async function promoteRollout(rootEm: EntityManager, viewer: Viewer, input: RolloutStepInput): Promise<ActionOutcome<{ instance: ServiceInstanceRow; applicationId: string; step: string }>> {
  const forbidden = requireReleaseRight(viewer, 'promote rollouts', ['service']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  return userAction(rootEm, async (em) => {
    const { app, service, channel, instance } = await instanceOf(em, viewer, input);
    const at = currentStep({ es: instance.engineState as EngineState, targetReleaseId: instance.targetReleaseId ?? null, targetState: instance.targetState ?? null });
    const release = instance.targetReleaseId ? await em.findOne(ReleaseRow, { id: instance.targetReleaseId }) : null;
    if (!at || !release) {
      throw new UserErrors([userError('NOT_ROLLING_OUT', `${service.name} is not rolling out in steps in ${channel.name}: there is no step to promote; nothing was changed`, ['channel'])]);
    }
    if (at.final) {
      throw new UserErrors([userError('NOT_ROLLING_OUT', `${release.label} is at its last step in ${channel.name} (${describeStep(at)}): there is nothing left to skip; nothing was changed`, ['channel'])]);
    }
    const actor = actorName(viewer);
    const now = Date.now();
    await em
      .getConnection()
      .execute('UPDATE service_instances SET promote_requested_at = ?, promote_requested_by = ?, next_check_at = ?, version = version + 1, updated_at = ? WHERE id = ?', [now, actor, URGENT, now, instance.id], 'run', em.getTransactionContext());
    const reason = input.reason?.trim() ? `: ${input.reason.trim()}` : '';
    const step = describeStep(at);
    const events: EventRow[] = [
      recordEvent(em, {
        type: 'ROLLOUT_PROMOTE_REQUESTED',
        actor,
        applicationId: app.id,
        subject: `ServiceInstance ${app.name}/${channel.name}/${service.name}`,
        subjectId: instance.id,
        message: `${actor} promoted ${release.label} in ${channel.name} past ${step}${reason}`,
        data: { channel: channel.name, releaseId: release.id, step: at.index + 1, of: at.count },
      }),
    ];
    return { value: { instance, applicationId: app.id, step }, events };
  });
}

/**
 * abortRollout: stop the rollout under way in a channel and roll back to what ran before (the
 * release it leaves is marked bad there, like any rollback). Refused when nothing rolls out there.
 */
export async function abortRollout(rootEm: EntityManager, viewer: Viewer, input: RolloutStepInput): Promise<ActionOutcome<{ moves: RollbackMove[]; applicationId: string }>> {
  const forbidden = requireReleaseRight(viewer, 'abort rollouts', ['service']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  const em = rootEm.fork();
  try {
    const { service, channel, instance } = await instanceOf(em, viewer, input);
    const es = instance.engineState as EngineState;
    const rollingOut = !!instance.targetReleaseId && instance.targetReleaseId !== instance.convergedReleaseId && (es.mode ?? 'rollout') === 'rollout';
    if (!rollingOut) throw new UserErrors([userError('NOT_ROLLING_OUT', `nothing rolls out of ${service.name} in ${channel.name} now: there is nothing to abort (driftless rollback goes back from what runs); nothing was changed`, ['channel'])]);
  } catch (err) {
    if (err instanceof UserErrors) return { events: [], userErrors: err.errors };
    throw err;
  }
  const outcome = await rollbackService(rootEm, viewer, { application: input.application, service: input.service, channel: input.channel, reason: input.reason ?? 'rollout aborted' });
  if (!outcome.value) return { events: [], userErrors: outcome.userErrors };
  return { value: { moves: outcome.value.moves, applicationId: outcome.value.service.applicationId }, events: outcome.events, userErrors: [] };
}

async function instanceOf(em: EntityManager, viewer: Viewer, input: RolloutStepInput) {
  const app = await visibleApplicationNamed(em, viewer, input.application);
  const service = await serviceNamed(em, app, input.service);
  const channel = await channelNamed(em, app, input.channel);
  const instance = await em.findOne(ServiceInstanceRow, { serviceId: service.id, channelId: channel.id });
  if (!instance) throw new UserErrors([userError('NOT_FOUND', `service ${service.name} has no instance in ${channel.name}`, ['channel'])]);
  return { app, service, channel, instance };
}
