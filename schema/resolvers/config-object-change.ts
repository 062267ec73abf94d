import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { toApplication, toRuntime, toService } from '../mappers.js';
import { Node } from '../types/node.js';
import { ConfigObjectChange } from '../types/payloads.js';

/**
 * The object a change is about, as itself: a change has no id of its own, so a client's cache keeps
 * one entry per object (a change reusing the Application's id turned the cached Application into a change).
 */
@Resolver(() => ConfigObjectChange)
export class ConfigObjectChangeFields {
  @FieldResolver(() => Node, { nullable: true, description: 'The Runtime, Application or Service itself (refetch or cache it by its id); null in a preview.' })
  async object(@Root() change: ConfigObjectChange, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    const ref = change.ref;
    if (!ref) return null;
    if (ref.kind === 'Runtime') {
      const row = await ctx.loaders.runtime.load(ref.rowId);
      return row ? toRuntime(row, ctx.hooks.redactRuntimeConfig) : null;
    }
    if (ref.kind === 'Application') {
      const row = await ctx.loaders.application.load(ref.rowId);
      return row ? toApplication(row) : null;
    }
    const row = await ctx.loaders.service.load(ref.rowId);
    return row ? toService(row) : null;
  }
}
