import {
  ApiTokenRow,
  ApplicationRow,
  EventRow,
  NotifierRow,
  ReleaseChannelRow,
  ReleaseGroupRow,
  ReleaseRow,
  RuntimeRow,
  ServiceInstanceRow,
  ServiceRow,
} from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { isUnscoped } from '../../server/auth/viewer.js';
import { toNotifier } from './notifications.js';
import { toApiToken, toApplication, toEvent, toRelease, toReleaseChannel, toReleaseGroup, toRuntime, toService, toServiceInstance } from '../mappers.js';
import type { Node } from '../types/node.js';
import { fromGlobalId } from '../types/node.js';
import { mayReadTokens, visibleApplication } from '../visibility.js';

/** node(id:) with the same visibility rules as every other read. */
export async function resolveNode(ctx: GraphQLContext, globalId: string): Promise<Node | null> {
  const ref = fromGlobalId(globalId);
  if (!ref) return null;
  const { em } = ctx;
  const scoped = async <T extends { applicationId: string }>(row: T | null, map: (r: T) => Node): Promise<Node | null> =>
    row && (await visibleApplication(ctx, row.applicationId)) ? map(row) : null;
  switch (ref.type) {
    case 'Application': {
      const row = await em.findOne(ApplicationRow, { id: ref.id });
      return row && (await visibleApplication(ctx, row.id)) ? toApplication(row) : null;
    }
    case 'ReleaseChannel':
      return scoped(await em.findOne(ReleaseChannelRow, { id: ref.id }), toReleaseChannel);
    case 'Service':
      return scoped(await em.findOne(ServiceRow, { id: ref.id }), toService);
    case 'Release':
      return scoped(await em.findOne(ReleaseRow, { id: ref.id }), toRelease);
    case 'ReleaseGroup':
      return scoped(await em.findOne(ReleaseGroupRow, { id: ref.id }), toReleaseGroup);
    case 'ServiceInstance':
      return scoped(await em.findOne(ServiceInstanceRow, { id: ref.id }), toServiceInstance);
    case 'Runtime': {
      const row = await em.findOne(RuntimeRow, { id: ref.id });
      return row ? toRuntime(row, ctx.hooks.redactRuntimeConfig) : null;
    }
    case 'Event': {
      if (!/^\d+$/.test(ref.id)) return null;
      const row = await em.findOne(EventRow, { id: Number(ref.id) });
      if (!row) return null;
      // Events of no application (tokens, runtimes) are global history: unscoped admins only.
      if (row.applicationId ? !(await visibleApplication(ctx, row.applicationId)) : !mayReadTokens(ctx)) return null;
      return toEvent(row);
    }
    case 'Notifier': {
      // Notifiers are server-wide settings: tokens without an application scope only, as in `notifiers`.
      if (!isUnscoped(ctx.viewer)) return null;
      const row = await em.findOne(NotifierRow, { id: ref.id });
      return row ? toNotifier(row) : null;
    }
    case 'ApiToken': {
      if (!mayReadTokens(ctx)) return null;
      const row = await em.findOne(ApiTokenRow, { id: ref.id });
      return row ? toApiToken(row) : null;
    }
  }
}
