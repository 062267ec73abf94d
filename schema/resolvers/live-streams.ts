import type { EntityManager } from '@mikro-orm/core';
import { filter, map, pipe } from '@graphql-yoga/subscription';
import { GraphQLError } from 'graphql';
import { canSeeApplication } from '../../server/auth/viewer.js';
import type { InstanceChange, LiveEvent } from '../../server/domain/live.js';
import { ApplicationRow, ReleaseRow, ServiceInstanceRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { createLoaders, type Loaders } from '../loaders.js';
import { fromGlobalId } from '../types/node.js';
import { visibleApplication } from '../visibility.js';

/**
 * The event streams behind the Subscription fields. Scope is checked once, when the client
 * subscribes: an application (or release) the token cannot see fails like a missing one, so a
 * subscription never tells whether it exists, and never delivers its events.
 */

/** A row read for one payload, with the unit of work its field resolvers must use. */
export interface Fresh<T> {
  row: T;
  em: EntityManager;
  loaders: Loaders;
}

function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

async function subscribableApplication(ctx: GraphQLContext, name: string): Promise<ApplicationRow> {
  const app = canSeeApplication(ctx.viewer, name) ? await ctx.em.findOne(ApplicationRow, { name }) : null;
  if (!app) throw notFound(`unknown application "${name}"`);
  return app;
}

/**
 * A subscription lives for hours, and graphql-js runs every payload with the context built at
 * subscribe time. Each payload therefore reads through its own fork, so rows and batch loaders are
 * never stale; the subscription's root resolver installs it with `useFresh`.
 */
function freshUnitOfWork(ctx: GraphQLContext): { em: EntityManager; loaders: Loaders } {
  const em = ctx.em.fork();
  return { em, loaders: createLoaders(em) };
}

/** Payloads run one after another on one subscription, so swapping the context here is safe. */
export function useFresh<T>(ctx: GraphQLContext, fresh: Fresh<T>): T {
  ctx.em = fresh.em;
  ctx.loaders = fresh.loaders;
  return fresh.row;
}

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * One read per change, shared by every subscriber of it: the PubSub hands all of them the same
 * payload object, so a thousand dashboards watching one application cost one query per change, not
 * a thousand. Sharing the unit of work is safe: payloads are read-only snapshots, and scope was
 * checked when each client subscribed.
 */
const sharedInstanceReads = new WeakMap<InstanceChange, Promise<Fresh<ServiceInstanceRow> | null>>();

function readInstanceOnce(ctx: GraphQLContext, change: InstanceChange): Promise<Fresh<ServiceInstanceRow> | null> {
  let read = sharedInstanceReads.get(change);
  if (!read) {
    const unit = freshUnitOfWork(ctx);
    read = unit.em.findOne(ServiceInstanceRow, { id: change.instanceId }).then((row) => (row ? { row, ...unit } : null)); // null: deleted meanwhile
    sharedInstanceReads.set(change, read);
  }
  return read;
}

export async function instanceChanges(ctx: GraphQLContext, application: string): Promise<AsyncIterable<Fresh<ServiceInstanceRow>>> {
  const app = await subscribableApplication(ctx, application);
  return pipe(
    ctx.hooks.live.subscribe('INSTANCE_CHANGED'),
    filter((change: InstanceChange) => change.applicationId === app.id),
    map((change: InstanceChange) => readInstanceOnce(ctx, change)),
    filter(present),
  );
}

export async function applicationEvents(ctx: GraphQLContext, application: string): Promise<AsyncIterable<LiveEvent>> {
  const app = await subscribableApplication(ctx, application);
  return pipe(
    ctx.hooks.live.subscribe('EVENT'),
    filter((event: LiveEvent) => event.applicationId === app.id),
  );
}

export async function releaseChanges(ctx: GraphQLContext, releaseGlobalId: string): Promise<AsyncIterable<Fresh<ReleaseRow>>> {
  const ref = fromGlobalId(releaseGlobalId);
  const release = ref?.type === 'Release' ? await ctx.em.findOne(ReleaseRow, { id: ref.id }) : null;
  if (!release || !(await visibleApplication(ctx, release.applicationId))) throw notFound('unknown release');
  return pipe(
    ctx.hooks.live.subscribe('INSTANCE_CHANGED'),
    filter((change: InstanceChange) => change.releaseIds.includes(release.id)),
    map(async () => {
      const unit = freshUnitOfWork(ctx);
      const row = await unit.em.findOne(ReleaseRow, { id: release.id });
      return row ? { row, ...unit } : null;
    }),
    filter(present),
  );
}
