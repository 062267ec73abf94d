import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { EngineState } from '../../server/engine/types.js';
import { publishEvents } from '../../server/services/live-events.js';
import { pinService, unpinService } from '../../server/services/pin-service.js';
import { ReleaseGroupRow, ServiceInstanceRow, type ReleaseChannelRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toRelease, toReleaseGroup, toServiceInstance } from '../mappers.js';
import { ReleaseGroup } from '../types/release-group.js';
import { Release, ServiceInstance } from '../types/domain.js';
import { GateStatus, Pin, PinServiceInput, PinServicePayload, ReleaseInChannel, UnpinServiceInput, type ReleaseChannelStatusEnum } from '../types/promotion.js';
import { toUserErrors } from '../types/user-error.js';

@Resolver()
export class PinMutations {
  @Mutation(() => PinServicePayload, { description: 'Hold a service in a channel at the release it runs: automation never moves it (newer releases wait there with PINNED) until it is unpinned.' })
  async pinService(@Arg('input', () => PinServiceInput) input: PinServiceInput, @Ctx() ctx: GraphQLContext): Promise<PinServicePayload> {
    return after(ctx, await pinService(ctx.em, ctx.viewer, input));
  }

  @Mutation(() => PinServicePayload, { description: 'Let automation move a pinned service again: newer releases go on by their gates.' })
  async unpinService(@Arg('input', () => UnpinServiceInput) input: UnpinServiceInput, @Ctx() ctx: GraphQLContext): Promise<PinServicePayload> {
    return after(ctx, await unpinService(ctx.em, ctx.viewer, input));
  }
}

async function after(ctx: GraphQLContext, outcome: Awaited<ReturnType<typeof pinService>>): Promise<PinServicePayload> {
  if (!outcome.value) return { instance: null, userErrors: toUserErrors(outcome.userErrors) };
  if (outcome.events.length) {
    publishEvents(ctx.hooks.live, outcome.events);
    ctx.hooks.intentChanged([outcome.value.applicationId]);
  }
  const fresh = await ctx.em.fork().findOneOrFail(ServiceInstanceRow, { id: outcome.value.instance.id });
  return { instance: toServiceInstance(fresh), userErrors: [] };
}

@Resolver(() => ServiceInstance)
export class InstancePromotionFields {
  @FieldResolver(() => Pin, { nullable: true, description: 'Set when a person pinned the service here.' })
  async pin(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext): Promise<Pin | null> {
    const pin = instance.row.pin;
    const release = pin ? await ctx.loaders.release.load(pin.releaseId) : undefined;
    return pin && release ? Object.assign(new Pin(), { release: toRelease(release), by: pin.by, reason: pin.reason, at: new Date(pin.at) }) : null;
  }

  @FieldResolver(() => Release, { nullable: true, description: 'The release this channel takes next by its release policy (the newest, the next in the queue, or one kept while it soaks); null when none.' })
  async nextRelease(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext): Promise<Release | null> {
    const id = (instance.row.engineState as EngineState).candidate?.releaseId;
    const release = id ? await ctx.loaders.release.load(id) : undefined;
    return release ? toRelease(release) : null;
  }

  @FieldResolver(() => [GateStatus], { description: "The gates of the next release here as the engine last evaluated them: what holds it and what is left. Empty when nothing waits." })
  gates(@Root() instance: ServiceInstance): GateStatus[] {
    const es = instance.row.engineState as EngineState;
    if (!es.candidate || es.candidate.releaseId === instance.row.targetReleaseId) return [];
    return (es.gates ?? []).map((g) => Object.assign(new GateStatus(), { type: g.type, key: g.key, state: g.state.toUpperCase() as GateStatus['state'], message: g.message ?? null }));
  }
}

@Resolver(() => Release)
export class ReleaseInChannelFields {
  @FieldResolver(() => [ReleaseInChannel], { description: 'Where this release stands in each channel of its application, in channel order.' })
  async channels(@Root() release: Release, @Ctx() ctx: GraphQLContext): Promise<ReleaseInChannel[]> {
    const channels: ReleaseChannelRow[] = await ctx.loaders.channelsByApplication.load(release.row.applicationId);
    const instances: ServiceInstanceRow[] = await ctx.loaders.instancesByService.load(release.row.serviceId);
    return channels
      .filter((c) => release.row.states[c.name])
      .map((c) => {
        const instance = instances.find((i) => i.channelId === c.id);
        const [status, reason] = instance ? statusIn(release.row.id, instance) : (['NOT_REACHED', null] as const);
        return Object.assign(new ReleaseInChannel(), { channel: c.name, status, reason });
      });
  }
}

type ChannelStatus = keyof typeof ReleaseChannelStatusEnum;

/** One release in one instance's channel, from what the engine recorded there. */
export function statusIn(releaseId: string, i: ServiceInstanceRow): readonly [ChannelStatus, string | null] {
  const es = i.engineState as EngineState;
  const superseded = es.superseded?.find((s) => s.releaseId === releaseId);
  if (es.badReleaseIds?.includes(releaseId)) {
    const why = es.failure?.releaseId === releaseId ? es.failure.message : null;
    return es.history?.some((h) => h.releaseId === releaseId) || i.targetReleaseId === releaseId ? ['ROLLED_BACK', why] : ['MARKED_BAD', why];
  }
  if (i.convergedReleaseId === releaseId && i.targetReleaseId === releaseId) {
    if (i.pin?.releaseId === releaseId) return ['PINNED', `pinned by ${i.pin.by}: ${i.pin.reason}`];
    if (i.status === 'DEGRADED') return ['DEGRADED', i.reasons[0]?.message ?? null];
    return ['CONVERGED', null];
  }
  if (i.targetReleaseId === releaseId) return ['ROLLING_OUT', i.reasons[0]?.message ?? null];
  if (superseded) return ['SUPERSEDED', superseded.why];
  if (es.candidate?.releaseId === releaseId) return ['WAITING', i.reasons[0]?.message ?? null];
  if (es.history?.some((h) => h.releaseId === releaseId)) return ['REPLACED', null];
  return ['NOT_REACHED', null];
}

@Resolver(() => ReleaseGroup)
export class ReleaseGroupFields {
  @FieldResolver(() => [Release], { description: 'Its releases, one per service, in service order.' })
  async releases(@Root() group: ReleaseGroup, @Ctx() ctx: GraphQLContext): Promise<Release[]> {
    const rows = await Promise.all(group.row.members.map((m) => ctx.loaders.release.load(m.releaseId)));
    return rows.filter((r): r is NonNullable<typeof r> => !!r).map(toRelease);
  }
}

@Resolver(() => Release)
export class ReleaseGroupOfRelease {
  @FieldResolver(() => ReleaseGroup, { nullable: true, description: 'When it was released together with other services: that release of all of them.' })
  async group(@Root() release: Release, @Ctx() ctx: GraphQLContext): Promise<ReleaseGroup | null> {
    const id = release.row.groupId;
    if (!id) return null;
    const row = await ctx.em.findOne(ReleaseGroupRow, { id });
    return row ? toReleaseGroup(row) : null;
  }
}
