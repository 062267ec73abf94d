import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { userError } from '../../server/domain/user-error.js';
import { decideRelease } from '../../server/services/release-decision.js';
import { publishEvents } from '../../server/services/live-events.js';
import type { ApprovalDecision } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toApproval, toRelease } from '../mappers.js';
import { fromGlobalId } from '../types/node.js';
import { ApproveReleaseInput, ApproveReleasePayload, RejectReleaseInput, RejectReleasePayload } from '../types/payloads.js';
import { toUserErrors } from '../types/user-error.js';

@Resolver()
export class ApprovalMutations {
  @Mutation(() => ApproveReleasePayload, { description: 'Approve the desired release of a channel with a manualApproval gate. Approving twice changes nothing.' })
  async approveRelease(@Arg('input', () => ApproveReleaseInput) input: ApproveReleaseInput, @Ctx() ctx: GraphQLContext): Promise<ApproveReleasePayload> {
    return Object.assign(new ApproveReleasePayload(), await decide(ctx, input, 'APPROVE'));
  }

  @Mutation(() => RejectReleasePayload, { description: 'Reject the desired release of a channel with a manualApproval gate: it will not start there. Replaces your earlier approval.' })
  async rejectRelease(@Arg('input', () => RejectReleaseInput) input: RejectReleaseInput, @Ctx() ctx: GraphQLContext): Promise<RejectReleasePayload> {
    return Object.assign(new RejectReleasePayload(), await decide(ctx, input, 'REJECT'));
  }
}

async function decide(ctx: GraphQLContext, input: ApproveReleaseInput, decision: ApprovalDecision): Promise<ApproveReleasePayload> {
  const ref = fromGlobalId(input.release);
  if (ref?.type !== 'Release') return { release: null, approvals: [], userErrors: toUserErrors([userError('NOT_FOUND', 'unknown release', ['release'])]) };
  const outcome = await decideRelease(ctx.em, ctx.viewer, { releaseId: ref.id, channel: input.channel, comment: input.comment, decision });
  if (!outcome.value) return { release: null, approvals: [], userErrors: toUserErrors(outcome.userErrors) };
  const { release, approvals, channelName, applicationId } = outcome.value;
  if (outcome.events.length) {
    publishEvents(ctx.hooks.live, outcome.events);
    ctx.hooks.intentChanged([applicationId]);
  }
  return { release: toRelease(release), approvals: approvals.map((a) => toApproval(a, channelName)), userErrors: [] };
}
