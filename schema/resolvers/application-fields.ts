import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import { selectsField } from '../types/connection.js';
import type { GraphQLContext } from '../context.js';
import { toReleaseChannel, toRuntime, toService, toApplication } from '../mappers.js';
import { releasePage } from './release-page.js';
import { channelInstances } from './instance-list.js';
import { Application, ReleaseChannel, ReleaseConnection, Runtime, Service, ServiceInstance } from '../types/domain.js';

@Resolver(() => Application)
export class ApplicationFields {
  @FieldResolver(() => [ReleaseChannel], { description: 'In declaration order.' })
  async releaseChannels(@Root() app: Application, @Ctx() ctx: GraphQLContext): Promise<ReleaseChannel[]> {
    return (await ctx.loaders.channelsByApplication.load(app.row.id)).map(toReleaseChannel);
  }

  @FieldResolver(() => [Service], { description: 'By name.' })
  async services(@Root() app: Application, @Ctx() ctx: GraphQLContext): Promise<Service[]> {
    return (await ctx.loaders.servicesByApplication.load(app.row.id)).map(toService);
  }

  @FieldResolver(() => ReleaseConnection, { description: 'Releases of every service, newest first.' })
  async releases(
    @Root() app: Application,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ReleaseConnection> {
    return releasePage(ctx, 'applicationId', app.row.id, first, after, selectsField(info, 'totalCount'));
  }
}

@Resolver(() => ReleaseChannel)
export class ReleaseChannelFields {
  @FieldResolver(() => Application)
  async application(@Root() channel: ReleaseChannel, @Ctx() ctx: GraphQLContext): Promise<Application> {
    return toApplication((await ctx.loaders.application.load(channel.row.applicationId))!);
  }

  @FieldResolver(() => Runtime)
  async runtime(@Root() channel: ReleaseChannel, @Ctx() ctx: GraphQLContext): Promise<Runtime> {
    return toRuntime((await ctx.loaders.runtime.load(channel.row.runtimeId))!, ctx.hooks.redactRuntimeConfig);
  }

  @FieldResolver(() => [ServiceInstance], { description: 'One per service of the application.' })
  async instances(@Root() channel: ReleaseChannel, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<ServiceInstance[]> {
    return channelInstances(ctx, info, channel.row.id);
  }
}

@Resolver(() => Runtime)
export class RuntimeFields {
  @FieldResolver(() => [String], { description: 'Release channels on this runtime that you can see, as application/channel.' })
  async usedBy(@Root() runtime: Runtime, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    const channels = await ctx.loaders.channelsByRuntime.load(runtime.row.id);
    // One batch for every application at once (awaiting each in turn was a query per application).
    const apps = await Promise.all(channels.map((channel) => ctx.loaders.application.load(channel.applicationId)));
    const names: string[] = [];
    channels.forEach((channel, i) => {
      const app = apps[i];
      if (app && (ctx.viewer.applications === null || ctx.viewer.applications.includes(app.name))) names.push(`${app.name}/${channel.name}`);
    });
    return names.sort();
  }
}
