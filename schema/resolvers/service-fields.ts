import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import { selectsField } from '../types/connection.js';
import type { GraphQLContext } from '../context.js';
import { toApplication, toRelease, toReleaseChannel, toService, toServiceInstance } from '../mappers.js';
import { latestReleaseOf, releasePage } from './release-page.js';
import { leanSelection } from '../lean-rows.js';
import { INSTANCE_RELEASES } from './instance-list.js';
import { Application, Release, ReleaseChannel, ReleaseConnection, Service, ServiceInstance } from '../types/domain.js';

@Resolver(() => Service)
export class ServiceFields {
  @FieldResolver(() => Application)
  async application(@Root() service: Service, @Ctx() ctx: GraphQLContext): Promise<Application> {
    return toApplication((await ctx.loaders.application.load(service.row.applicationId))!);
  }

  @FieldResolver(() => [ServiceInstance], { description: 'One per release channel.' })
  async instances(@Root() service: Service, @Ctx() ctx: GraphQLContext): Promise<ServiceInstance[]> {
    return (await ctx.loaders.instancesByService.load(service.row.id)).map(toServiceInstance);
  }

  @FieldResolver(() => ReleaseConnection, { description: 'Newest first.' })
  async releases(
    @Root() service: Service,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ReleaseConnection> {
    return releasePage(ctx, 'serviceId', service.row.id, first, after, selectsField(info, 'totalCount'));
  }

  @FieldResolver(() => Release, { nullable: true, description: 'The newest release, if any.' })
  async latestRelease(@Root() service: Service, @Ctx() ctx: GraphQLContext): Promise<Release | null> {
    const row = await latestReleaseOf(ctx, service.row.id);
    return row ? toRelease(row) : null;
  }
}

@Resolver(() => Release)
export class ReleaseFields {
  @FieldResolver(() => Service)
  async service(@Root() release: Release, @Ctx() ctx: GraphQLContext): Promise<Service> {
    return toService((await ctx.loaders.service.load(release.row.serviceId))!);
  }

  @FieldResolver(() => [ServiceInstance], { description: 'The instances (one per channel) whose desired release this is.' })
  async instances(@Root() release: Release, @Ctx() ctx: GraphQLContext): Promise<ServiceInstance[]> {
    return (await ctx.loaders.instancesByDesiredRelease.load(release.row.id)).map(toServiceInstance);
  }
}

@Resolver(() => ServiceInstance)
export class ServiceInstanceFields {
  @FieldResolver(() => Service)
  service(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Service | Promise<Service> {
    return instance.preloaded?.service ?? loadService(ctx, instance.row.serviceId, info);
  }

  @FieldResolver(() => ReleaseChannel)
  async channel(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext): Promise<ReleaseChannel> {
    return toReleaseChannel((await ctx.loaders.channel.load(instance.row.channelId))!);
  }

  @FieldResolver(() => Release, { nullable: true, description: 'The newest release asked for.' })
  desiredRelease(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Release | null | Promise<Release | null> {
    const preloaded = preloadedRelease(instance, 'desiredRelease');
    return preloaded !== undefined ? preloaded : loadRelease(ctx, instance.row.desiredReleaseId, info);
  }

  @FieldResolver(() => Release, { nullable: true, description: 'What the engine steers to now: the desired release, or a rollback target.' })
  targetRelease(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Release | null | Promise<Release | null> {
    const preloaded = preloadedRelease(instance, 'targetRelease');
    return preloaded !== undefined ? preloaded : loadRelease(ctx, instance.row.targetReleaseId, info);
  }

  @FieldResolver(() => Release, { nullable: true, description: 'The release this instance last converged on.' })
  convergedRelease(@Root() instance: ServiceInstance, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Release | null | Promise<Release | null> {
    const preloaded = preloadedRelease(instance, 'convergedRelease');
    return preloaded !== undefined ? preloaded : loadRelease(ctx, instance.row.convergedReleaseId, info);
  }
}

async function loadService(ctx: GraphQLContext, id: string, info: GraphQLResolveInfo): Promise<Service> {
  return toService((await (leanSelection(info, 'service') ? ctx.loaders.leanService : ctx.loaders.service).load(id))!);
}

/** What the instance list attached (schema/resolvers/instance-list.ts); undefined: load it. */
function preloadedRelease(instance: ServiceInstance, field: keyof typeof INSTANCE_RELEASES): Release | null | undefined {
  const preloaded = instance.preloaded;
  return preloaded && field in preloaded ? (preloaded[field] ?? null) : undefined;
}

async function loadRelease(ctx: GraphQLContext, id: string | null | undefined, info: GraphQLResolveInfo): Promise<Release | null> {
  if (!id) return null;
  const row = await (leanSelection(info, 'release') ? ctx.loaders.leanRelease : ctx.loaders.release).load(id);
  return row ? toRelease(row) : null;
}
