import { canSeeApplication, hasRight, isUnscoped } from '../server/auth/viewer.js';
import type { ApplicationRow } from '../server/store/entities/index.js';
import type { GraphQLContext } from './context.js';

/**
 * The one place that decides whether a caller may see an application's objects. A token limited
 * to named applications sees nothing of others: not by name, not through node(id:), not in lists.
 */
export async function visibleApplication(ctx: GraphQLContext, applicationId: string): Promise<ApplicationRow | undefined> {
  const app = await ctx.loaders.application.load(applicationId);
  return app && canSeeApplication(ctx.viewer, app.name) ? app : undefined;
}

export function mayReadTokens(ctx: GraphQLContext): boolean {
  return hasRight(ctx.viewer, 'token:write') && isUnscoped(ctx.viewer);
}
