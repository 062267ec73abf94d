import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApplicationFields, ReleaseChannelFields, RuntimeFields } from './resolvers/application-fields.js';
import { EventsResolver } from './resolvers/events.js';
import { MutationResolver } from './resolvers/mutation.js';
import { PreviewResolver } from './resolvers/preview.js';
import { QueryResolver } from './resolvers/query.js';
import { ReleaseFields, ServiceFields, ServiceInstanceFields } from './resolvers/service-fields.js';

export const RESOLVERS = [
  QueryResolver,
  PreviewResolver,
  EventsResolver,
  MutationResolver,
  ApplicationFields,
  ReleaseChannelFields,
  RuntimeFields,
  ServiceFields,
  ReleaseFields,
  ServiceInstanceFields,
] as const;

let cached: Promise<GraphQLSchema> | undefined;

/** The executable schema. Built once per process: type-graphql's metadata is global anyway. */
export function driftlessSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers: [...RESOLVERS] as unknown as [Function, ...Function[]], validate: false });
  return cached;
}
