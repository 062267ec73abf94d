import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import { ApplicationRow, EventRow } from '../../server/store/entities/index.js';
import { canSeeApplication } from '../../server/auth/viewer.js';
import type { GraphQLContext } from '../context.js';
import { toEvent } from '../mappers.js';
import { pageOf, pageRequest, selectsField } from '../types/connection.js';
import { EventConnection, type Event } from '../types/domain.js';

const eventKey = (e: Event) => [e.row.id];
import { mayReadTokens } from '../visibility.js';
import { DateTimeScalar } from '../types/scalars.js';

@Resolver()
export class EventsResolver {
  @Query(() => EventConnection, { description: "History, newest first. With `application`, that application's events; without, every event (tokens without an application scope only)." })
  async events(
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('application', () => String, { nullable: true }) application?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('actor', () => String, { nullable: true, description: 'Only events by this actor: `engine`, `token:<name>`, or a token name.' }) actor?: string,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Only events at or after this time.' }) since?: Date,
  ): Promise<EventConnection> {
    const page = pageRequest(`events:${application ?? '*'}`, first, after);
    let where: Record<string, unknown> = {};
    if (application) {
      const app = canSeeApplication(ctx.viewer, application) ? await ctx.em.findOne(ApplicationRow, { name: application }) : null;
      if (!app) return pageOf([], page, eventKey) as EventConnection;
      where = { applicationId: app.id };
    } else if (ctx.viewer.applications !== null || !mayReadTokens(ctx)) {
      // Global history includes token and runtime changes: unscoped admins only; others ask per application.
      const apps = await ctx.em.find(ApplicationRow, ctx.viewer.applications === null ? {} : { name: { $in: ctx.viewer.applications } });
      where = { applicationId: { $in: apps.map((a) => a.id) } };
    }
    if (actor) where = { ...where, actor: actor === 'engine' || actor.startsWith('token:') ? actor : `token:${actor}` };
    if (since) where = { ...where, at: { $gte: since } };
    // Keyset: after the cursor's event id, so events written meanwhile neither repeat nor shift the page.
    const window = page.after ? { ...where, id: { $lt: Number(page.after[0]) } } : where;
    const [rows, total] = await Promise.all([
      ctx.em.find(EventRow, window, { orderBy: { id: 'desc' }, limit: page.limit + 1 }),
      selectsField(info, 'totalCount') ? ctx.em.count(EventRow, where) : Promise.resolve(0),
    ]);
    return pageOf(rows.map(toEvent), page, eventKey, total) as EventConnection;
  }
}
