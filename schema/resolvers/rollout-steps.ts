import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { currentStep } from '../../server/engine/steps.js';
import type { EngineState } from '../../server/engine/types.js';
import { publishEvents } from '../../server/services/live-events.js';
import { abortRollout, promoteRollout } from '../../server/services/rollout-steps.js';
import { ServiceInstanceRow, type EventRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toRelease, toServiceInstance } from '../mappers.js';
import { ServiceInstance } from '../types/domain.js';
import { RollbackPlan } from '../types/payloads.js';
import { AbortRolloutInput, AbortRolloutPayload, PromoteRolloutInput, PromoteRolloutPayload, RolloutStepStatus } from '../types/rollout-steps.js';
import { toUserErrors } from '../types/user-error.js';

@Resolver()
export class RolloutStepMutations {
  @Mutation(() => PromoteRolloutPayload, { description: 'Skip the rest of the current step of a progressive rollout in a channel (its pause, its analysis, or the wait for its replicas): the next step starts. NOT_ROLLING_OUT when nothing rolls out in steps there.' })
  async promoteRollout(@Arg('input', () => PromoteRolloutInput) input: PromoteRolloutInput, @Ctx() ctx: GraphQLContext): Promise<PromoteRolloutPayload> {
    const outcome = await promoteRollout(ctx.em, ctx.viewer, input);
    if (!outcome.value) return { instance: null, skipped: null, userErrors: toUserErrors(outcome.userErrors) };
    afterCommit(ctx, outcome.value.applicationId, outcome.events);
    const fresh = await ctx.em.fork().findOneOrFail(ServiceInstanceRow, { id: outcome.value.instance.id });
    return { instance: toServiceInstance(fresh), skipped: outcome.value.step, userErrors: [] };
  }

  @Mutation(() => AbortRolloutPayload, { description: 'Stop the rollout under way in a channel (in steps or not) and roll back to what ran before; the release it leaves is marked bad there. NOT_ROLLING_OUT when nothing rolls out there.' })
  async abortRollout(@Arg('input', () => AbortRolloutInput) input: AbortRolloutInput, @Ctx() ctx: GraphQLContext): Promise<AbortRolloutPayload> {
    const outcome = await abortRollout(ctx.em, ctx.viewer, input);
    if (!outcome.value) return { rollbacks: [], userErrors: toUserErrors(outcome.userErrors) };
    afterCommit(ctx, outcome.value.applicationId, outcome.events);
    return { rollbacks: outcome.value.moves.map((m) => Object.assign(new RollbackPlan(), { channel: m.channel, from: toRelease(m.from), to: toRelease(m.to) })), userErrors: [] };
  }
}

@Resolver(() => ServiceInstance)
export class InstanceRolloutStepFields {
  @FieldResolver(() => RolloutStepStatus, { nullable: true, description: 'The step of a progressive rollout the target release is at here; null when it does not roll out in steps.' })
  async rolloutStep(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext): Promise<RolloutStepStatus | null> {
    const row = instance.row;
    const at = currentStep({ es: row.engineState as EngineState, targetReleaseId: row.targetReleaseId ?? null, targetState: row.targetState ?? null });
    const release = at && row.targetReleaseId ? await ctx.loaders.release.load(row.targetReleaseId) : undefined;
    if (!at || !release) return null;
    const holdMs = at.step.kind === 'pause' ? at.step.durationMs : at.step.analysisMs;
    return Object.assign(new RolloutStepStatus(), {
      release: toRelease(release),
      step: at.index + 1,
      of: at.count,
      kind: at.step.kind === 'pause' ? 'PAUSE' : 'REPLICAS',
      replicas: at.replicas,
      percent: at.percent ?? null,
      startedAt: new Date(at.startedAt),
      reachedAt: at.reachedAt !== undefined ? new Date(at.reachedAt) : null,
      endsAt: at.reachedAt !== undefined && !at.final ? new Date(at.reachedAt + holdMs) : null,
    });
  }
}

/** Subscribers hear of the action and the engine looks at the application now. */
function afterCommit(ctx: GraphQLContext, applicationId: string, events: EventRow[]): void {
  publishEvents(ctx.hooks.live, events);
  ctx.hooks.intentChanged([applicationId]);
}
