import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { ApplicationRow, EventRow } from '../../server/store/entities/index.js';
import { canSeeApplication } from '../../server/auth/viewer.js';
import type { GraphQLContext } from '../context.js';
import { toEvent } from '../mappers.js';
import { pageOf, pageWindow } from '../types/connection.js';
import { EventConnection } from '../types/domain.js';
import { mayReadTokens } from '../visibility.js';
import { DateTimeScalar } from '../types/scalars.js';

@Resolver()
export class EventsResolver {
  @Query(() => EventConnection, { description: "History, newest first. With `application`, that application's events; without, every event (tokens without an application scope only)." })
  async events(
    @Ctx() ctx: GraphQLContext,
    @Arg('application', () => String, { nullable: true }) application?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('actor', () => String, { nullable: true, description: 'Only events by this actor: `engine`, `token:<name>`, or a token name.' }) actor?: string,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Only events at or after this time.' }) since?: Date,
  ): Promise<EventConnection> {
    const { limit, offset } = pageWindow(first, after);
    let where: Record<string, unknown> = {};
    if (application) {
      const app = canSeeApplication(ctx.viewer, application) ? await ctx.em.findOne(ApplicationRow, { name: application }) : null;
      if (!app) return pageOf([], 0, limit, 0) as EventConnection;
      where = { applicationId: app.id };
    } else if (ctx.viewer.applications !== null || !mayReadTokens(ctx)) {
      // Global history includes token and runtime changes: unscoped admins only; others ask per application.
      const apps = await ctx.em.find(ApplicationRow, ctx.viewer.applications === null ? {} : { name: { $in: ctx.viewer.applications } });
      where = { applicationId: { $in: apps.map((a) => a.id) } };
    }
    if (actor) where = { ...where, actor: actor === 'engine' || actor.startsWith('token:') ? actor : `token:${actor}` };
    if (since) where = { ...where, at: { $gte: since } };
    const [rows, total] = await ctx.em.findAndCount(EventRow, where, { orderBy: { id: 'desc' }, limit: limit + 1, offset });
    return pageOf(rows.map(toEvent), offset, limit, total) as EventConnection;
  }
}
