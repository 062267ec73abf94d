import 'reflect-metadata';
import { DeliveryMetricsResolver } from './resolvers/delivery-metrics.js';
import { NotificationsResolver } from './resolvers/notifications.js';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { describeSchema } from './describe-schema.js';
import { ApprovalMutations } from './resolvers/approval-mutations.js';
import { ConvergenceControlMutations } from './resolvers/convergence-control.js';
import { ReleaseApprovalFields } from './resolvers/release-approvals.js';
import { RuntimePluginsResolver } from './resolvers/runtime-plugins.js';
import { SubscriptionResolver } from './resolvers/subscriptions.js';
import { ApplicationFields, ReleaseChannelFields, RuntimeFields } from './resolvers/application-fields.js';
import { EventsResolver } from './resolvers/events.js';
import { MutationResolver } from './resolvers/mutation.js';
import { PreviewResolver } from './resolvers/preview.js';
import { QueryResolver } from './resolvers/query.js';
import { ReleaseFields, ServiceFields, ServiceInstanceFields } from './resolvers/service-fields.js';
import { ReleaseDetailFields, ServiceInstancePlanFields } from './resolvers/release-details.js';
import { BypassMutations } from './resolvers/bypass-mutations.js';
import { ConfigObjectChangeFields } from './resolvers/config-object-change.js';
import { InstanceRolloutStepFields, RolloutStepMutations } from './resolvers/rollout-steps.js';
import { InstancePromotionFields, PinMutations, ReleaseGroupFields, ReleaseGroupOfRelease, ReleaseInChannelFields } from './resolvers/promotion.js';

export const RESOLVERS = [
  QueryResolver,
  NotificationsResolver,
  DeliveryMetricsResolver,
  PreviewResolver,
  EventsResolver,
  MutationResolver,
  ConfigObjectChangeFields,
  ApplicationFields,
  ReleaseChannelFields,
  RuntimeFields,
  ServiceFields,
  ReleaseFields,
  ServiceInstanceFields,
  ReleaseDetailFields,
  ServiceInstancePlanFields,
  BypassMutations,
  PinMutations,
  InstancePromotionFields,
  RolloutStepMutations,
  InstanceRolloutStepFields,
  ReleaseInChannelFields,
  ReleaseGroupFields,
  ReleaseGroupOfRelease,
  RuntimePluginsResolver,
  ApprovalMutations,
  ReleaseApprovalFields,
  ConvergenceControlMutations,
  SubscriptionResolver,
] as const;

let cached: Promise<GraphQLSchema> | undefined;

/** The executable schema. Built once per process: type-graphql's metadata is global anyway. */
export function driftlessSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: [...RESOLVERS] as unknown as [Function, ...Function[]],
    validate: false,
    // type-graphql refuses subscriptions without a global PubSub, but the schema is shared by every
    // server in the process while each server has its own (hooks.live): every @Subscription has its
    // own `subscribe` reading the context, and this one is never used.
    pubSub: createPubSub(),
  }).then(describeSchema);
  return cached;
}
