import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { LiveEvent } from '../../server/domain/live.js';
import type { ReleaseRow, ServiceInstanceRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toEventFromLive, toRelease, toServiceInstance } from '../mappers.js';
import { Event, Release, ServiceInstance } from '../types/domain.js';
import { applicationEvents, instanceChanges, releaseChanges, useFresh, type Fresh } from './live-streams.js';

// Each server has its own PubSub (hooks.live), so every field brings its own `subscribe`.
@Resolver()
export class SubscriptionResolver {
  @Subscription(() => ServiceInstance, {
    description: 'Every change of a service instance of the application: status, reasons, releases, observed state.',
    subscribe: ({ args, context }) => instanceChanges(context as GraphQLContext, args.application as string),
  })
  serviceInstanceChanged(@Root() fresh: Fresh<ServiceInstanceRow>, @Ctx() ctx: GraphQLContext, @Arg('application', () => String) _application: string): ServiceInstance {
    return toServiceInstance(useFresh(ctx, fresh));
  }

  @Subscription(() => Event, {
    description: "The application's history as it happens: what the engine decided and what people did.",
    subscribe: ({ args, context }) => applicationEvents(context as GraphQLContext, args.application as string),
  })
  convergenceEvents(@Root() event: LiveEvent, @Arg('application', () => String) _application: string): Event {
    return toEventFromLive(event);
  }

  @Subscription(() => Release, {
    description: 'The release each time one of its instances changes; its `instances` show where it stands per channel.',
    subscribe: ({ args, context }) => releaseChanges(context as GraphQLContext, args.releaseId as string),
  })
  releaseProgress(@Root() fresh: Fresh<ReleaseRow>, @Ctx() ctx: GraphQLContext, @Arg('releaseId', () => ID, { description: 'Global id of the release.' }) _releaseId: string): Release {
    return toRelease(useFresh(ctx, fresh));
  }
}
