import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { userError } from '../../server/domain/user-error.js';
import { bypassGate } from '../../server/services/bypass-gate.js';
import { publishEvents } from '../../server/services/live-events.js';
import type { GraphQLContext } from '../context.js';
import { toRelease } from '../mappers.js';
import { fromGlobalId } from '../types/node.js';
import { BypassGateInput, BypassGatePayload } from '../types/payloads.js';
import { GateBypass } from '../types/release-details.js';
import { toUserErrors } from '../types/user-error.js';

@Resolver()
export class BypassMutations {
  @Mutation(() => BypassGatePayload, {
    description: 'Admins only: let one release past one gate in one channel, with a reason (recorded as an event). The only way around a gate; a release marked bad upstream is never promoted.',
  })
  async bypassGate(@Arg('input', () => BypassGateInput) input: BypassGateInput, @Ctx() ctx: GraphQLContext): Promise<BypassGatePayload> {
    const ref = fromGlobalId(input.release);
    if (ref?.type !== 'Release') return { release: null, bypass: null, userErrors: toUserErrors([userError('NOT_FOUND', 'unknown release', ['release'])]) };
    const outcome = await bypassGate(ctx.em, ctx.viewer, { releaseId: ref.id, channel: input.channel, gate: input.gate, reason: input.reason });
    if (!outcome.value) return { release: null, bypass: null, userErrors: toUserErrors(outcome.userErrors) };
    const { bypass, release, applicationId } = outcome.value;
    if (outcome.events.length) {
      publishEvents(ctx.hooks.live, outcome.events);
      ctx.hooks.intentChanged([applicationId]);
    }
    return {
      release: toRelease(release),
      bypass: Object.assign(new GateBypass(), { channel: input.channel, gate: bypass.gate, actor: bypass.actor, reason: bypass.reason, createdAt: bypass.createdAt }),
      userErrors: [],
    };
  }
}
