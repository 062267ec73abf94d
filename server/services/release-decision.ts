import type { EntityManager } from '@mikro-orm/core';
import { actorName, canSeeApplication, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors } from '../domain/user-error.js';
import { ApplicationRow, ApprovalRow, ReleaseRow, ServiceInstanceRow, ServiceRow, type ApprovalDecision, type EventRow } from '../store/entities/index.js';
import { wakeInstances } from './instance-intent.js';
import { channelNamed, requireReleaseRight, userAction, type ActionOutcome } from './user-action.js';

export interface ReleaseDecisionInput {
  /** Row id of the release (the resolver decodes the global id). */
  releaseId: string;
  channel: string;
  comment?: string | null;
  decision: ApprovalDecision;
}

export interface ReleaseDecision {
  release: ReleaseRow;
  channelName: string;
  /** Every decision on this release in this channel, oldest first. */
  approvals: ApprovalRow[];
  applicationId: string;
}

/**
 * approveRelease / rejectRelease: records one actor's decision on the release that is desired in
 * a channel with a manualApproval gate. Deciding the same way twice changes nothing; deciding the
 * other way replaces the actor's earlier decision (one row per release, channel and actor: the
 * engine counts distinct approvers and lets any rejection block). An approval is pinned to the
 * release's compiled state in that channel (releases never change; a config change is a new
 * release that needs its own approval). With `preventSelfApproval`, the release's creator cannot
 * approve it.
 */
export async function decideRelease(rootEm: EntityManager, viewer: Viewer, input: ReleaseDecisionInput): Promise<ActionOutcome<ReleaseDecision>> {
  const verb = input.decision === 'APPROVE' ? 'approve' : 'reject';
  const forbidden = requireReleaseRight(viewer, `${verb} releases`, ['release']);
  if (forbidden.length) return { events: [], userErrors: forbidden };
  return userAction(rootEm, async (em) => {
    const release = await em.findOne(ReleaseRow, { id: input.releaseId });
    const app = release && (await em.findOne(ApplicationRow, { id: release.applicationId }));
    if (!release || !app || !canSeeApplication(viewer, app.name)) throw new UserErrors([userError('NOT_FOUND', 'unknown release', ['release'])]);
    const channel = await channelNamed(em, app, input.channel);
    const state = release.states[channel.name];
    const gate = (state?.gates ?? channel.gates).find((g) => g.type === 'manualApproval');
    if (!gate) {
      throw new UserErrors([userError('INVALID_INPUT', `release ${release.label} has no manualApproval gate in channel ${channel.name}`, ['channel'])]);
    }
    const instance = await em.findOne(ServiceInstanceRow, { serviceId: release.serviceId, channelId: channel.id });
    const label = release.label;
    if (instance?.desiredReleaseId !== release.id) {
      // Approving a superseded release would be a no-op at best and a surprise later at worst.
      const desired = instance?.desiredReleaseId ? await em.findOne(ReleaseRow, { id: instance.desiredReleaseId }) : null;
      const now = desired ? `${desired.label} is` : 'no release is';
      const when = desired && desired.number > release.number ? 'no longer' : 'not';
      throw new UserErrors([userError('INVALID_INPUT', `release ${label} is ${when} the desired release in ${channel.name} (${now})`, ['release'])]);
    }

    const actor = actorName(viewer);
    if (input.decision === 'APPROVE' && gate.type === 'manualApproval' && gate.preventSelfApproval && release.createdBy === actor) {
      throw new UserErrors([
        userError('SELF_APPROVAL', `${actor} created ${label}${release.trigger === 'CONFIG' ? ' (by changing the config)' : ''} and may not approve it for ${channel.name}: this gate wants someone else's approval (preventSelfApproval)`, ['release']),
      ]);
    }
    const existing = await em.findOne(ApprovalRow, { releaseId: release.id, channelId: channel.id, actor });
    const events: EventRow[] = [];
    if (existing?.decision !== input.decision) {
      if (existing) {
        existing.decision = input.decision;
        existing.comment = input.comment ?? null;
        existing.stateDigest = instance.desiredState?.digest ?? null;
        // createdAt is when the actor's current decision was made: the dashboard shows that.
        existing.createdAt = new Date();
      } else {
        em.create(ApprovalRow, { releaseId: release.id, channelId: channel.id, applicationId: app.id, actor, decision: input.decision, comment: input.comment ?? null, stateDigest: instance.desiredState?.digest ?? null });
      }
      const service = await em.findOneOrFail(ServiceRow, { id: release.serviceId });
      events.push(
        recordEvent(em, {
          type: input.decision === 'APPROVE' ? 'RELEASE_APPROVED' : 'RELEASE_REJECTED',
          actor,
          applicationId: app.id,
          subject: `Release ${app.name}/${service.name}#${release.number}`,
          subjectId: release.id,
          message: `${actor} ${input.decision === 'APPROVE' ? 'approved' : 'rejected'} ${label} of ${service.name} for ${channel.name}${input.comment ? `: ${input.comment}` : ''}`,
          data: { channel: channel.name, releaseId: release.id, decision: input.decision, ...(input.comment ? { comment: input.comment } : {}) },
        }),
      );
      await em.flush();
      await wakeInstances(em, [instance.id], Date.now());
    }
    const approvals = await em.find(ApprovalRow, { releaseId: release.id, channelId: channel.id }, { orderBy: { createdAt: 'asc', actor: 'asc' } });
    return { value: { release, channelName: channel.name, approvals, applicationId: app.id }, events };
  });
}
