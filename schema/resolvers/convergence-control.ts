import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { setConvergencePaused } from '../../server/services/convergence-pause.js';
import { publishEvents } from '../../server/services/live-events.js';
import { rollbackService } from '../../server/services/rollback-service.js';
import type { EventRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toApplication, toRelease, toService } from '../mappers.js';
import {
  PauseConvergenceInput,
  PauseConvergencePayload,
  ResumeConvergenceInput,
  ResumeConvergencePayload,
  RollbackServiceInput,
  RollbackPlan,
  RollbackServicePayload,
} from '../types/payloads.js';
import { toUserErrors } from '../types/user-error.js';
import { fromGlobalId } from '../types/node.js';
import { userError } from '../../server/domain/user-error.js';

@Resolver()
export class ConvergenceControlMutations {
  @Mutation(() => PauseConvergencePayload, { description: 'Stop applying changes (instances keep being observed, status PAUSED) for an application, a channel, a service or one instance.' })
  async pauseConvergence(@Arg('input', () => PauseConvergenceInput) input: PauseConvergenceInput, @Ctx() ctx: GraphQLContext): Promise<PauseConvergencePayload> {
    return Object.assign(new PauseConvergencePayload(), await setPaused(ctx, input, true));
  }

  @Mutation(() => ResumeConvergencePayload, { description: 'Undo pauseConvergence at the same scope.' })
  async resumeConvergence(@Arg('input', () => ResumeConvergenceInput) input: ResumeConvergenceInput, @Ctx() ctx: GraphQLContext): Promise<ResumeConvergencePayload> {
    return Object.assign(new ResumeConvergencePayload(), await setPaused(ctx, input, false));
  }

  @Mutation(() => RollbackServicePayload, { description: 'Roll a service back from the release it runs (or rolls out) to the newest earlier one that converged, in one channel or in every channel that has one. The release it leaves is marked bad there (automation never brings it back; a new release clears the way). Nothing to go back to is NOTHING_TO_ROLL_BACK_TO.' })
  async rollbackService(@Arg('input', () => RollbackServiceInput) input: RollbackServiceInput, @Ctx() ctx: GraphQLContext): Promise<RollbackServicePayload> {
    const to = input.to ? fromGlobalId(input.to) : undefined;
    if (input.to && to?.type !== 'Release') return { service: null, rollbacks: [], userErrors: toUserErrors([userError('NOT_FOUND', 'unknown release', ['to'])]) };
    const outcome = await rollbackService(ctx.em, ctx.viewer, { ...input, toReleaseId: to?.id ?? null });
    if (!outcome.value) return { service: null, rollbacks: [], userErrors: toUserErrors(outcome.userErrors) };
    const { service, moves } = outcome.value;
    afterCommit(ctx, service.applicationId, outcome.events);
    return { service: toService(service), rollbacks: moves.map((m) => Object.assign(new RollbackPlan(), { channel: m.channel, from: toRelease(m.from), to: toRelease(m.to) })), userErrors: [] };
  }
}

async function setPaused(ctx: GraphQLContext, input: PauseConvergenceInput, paused: boolean): Promise<PauseConvergencePayload> {
  const outcome = await setConvergencePaused(ctx.em, ctx.viewer, input, paused);
  if (!outcome.value) return { application: null, userErrors: toUserErrors(outcome.userErrors) };
  if (outcome.events.length) afterCommit(ctx, outcome.value.id, outcome.events);
  return { application: toApplication(outcome.value), userErrors: [] };
}

/** Subscribers hear of the action and the engine looks at the application now, not at its next poll. */
function afterCommit(ctx: GraphQLContext, applicationId: string, events: EventRow[]): void {
  publishEvents(ctx.hooks.live, events);
  ctx.hooks.intentChanged([applicationId]);
}
