import type { FilterQuery } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Query, Resolver } from 'type-graphql';
import { canSeeApplication } from '../../server/auth/viewer.js';
import { ApiTokenRow, ApplicationRow, RuntimeRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toApiToken, toApplication, toRuntime } from '../mappers.js';
import { pageOf, pageRequest, selectsField } from '../types/connection.js';
import { ApiToken, Application, ApplicationConnection, Runtime, Viewer } from '../types/domain.js';
import { Node } from '../types/node.js';
import { mayReadTokens } from '../visibility.js';
import { resolveNode } from './node.js';

@Resolver()
export class QueryResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when it does not exist or is not visible to you.' })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    return resolveNode(ctx, id);
  }

  @Query(() => Viewer, { description: 'The caller, as its token says.' })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    const v = ctx.viewer;
    return Object.assign(new Viewer(), { tokenId: v.tokenId, name: v.tokenName, role: v.role, allApplications: v.applications === null, applications: v.applications ?? [] });
  }

  @Query(() => ApplicationConnection, { description: 'Applications visible to you, by name.' })
  async applications(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ApplicationConnection> {
    const page = pageRequest('applications', first, after);
    const visible: FilterQuery<ApplicationRow> = ctx.viewer.applications === null ? {} : { name: { $in: ctx.viewer.applications } };
    // Keyset on the (unique) name: applications created meanwhile do not shift the page.
    const window: FilterQuery<ApplicationRow> = page.after ? { $and: [visible, { name: { $gt: String(page.after[0]) } }] } : visible;
    const [rows, total] = await Promise.all([
      ctx.em.find(ApplicationRow, window, { orderBy: { name: 'asc' }, limit: page.limit + 1 }),
      selectsField(info, 'totalCount') ? ctx.em.count(ApplicationRow, visible) : Promise.resolve(0),
    ]);
    return pageOf(rows.map(toApplication), page, (a) => [a.name], total) as ApplicationConnection;
  }

  @Query(() => Application, { nullable: true })
  async application(@Arg('name', () => String) name: string, @Ctx() ctx: GraphQLContext): Promise<Application | null> {
    if (!canSeeApplication(ctx.viewer, name)) return null;
    const row = await ctx.em.findOne(ApplicationRow, { name });
    return row ? toApplication(row) : null;
  }

  @Query(() => [Runtime], { description: 'Every runtime, by name. Secret config values are redacted.' })
  async runtimes(@Ctx() ctx: GraphQLContext): Promise<Runtime[]> {
    const rows = await ctx.em.find(RuntimeRow, {}, { orderBy: { name: 'asc' } });
    return rows.map((r) => toRuntime(r, ctx.hooks.redactRuntimeConfig));
  }

  @Query(() => [ApiToken], { description: 'API tokens (admin tokens without an application scope only; others get an empty list).' })
  async apiTokens(@Ctx() ctx: GraphQLContext): Promise<ApiToken[]> {
    if (!mayReadTokens(ctx)) return [];
    const rows = await ctx.em.find(ApiTokenRow, {}, { orderBy: { createdAt: 'asc' } });
    return rows.map(toApiToken);
  }
}
