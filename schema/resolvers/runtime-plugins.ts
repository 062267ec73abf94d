import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { toRuntimePlugin } from '../mappers.js';
import { RuntimePlugin } from '../types/runtime-plugin.js';

@Resolver()
export class RuntimePluginsResolver {
  @Query(() => [RuntimePlugin], { description: 'Runtime plugins the server discovered, loaded or refused, by name.' })
  runtimePlugins(@Ctx() ctx: GraphQLContext): RuntimePlugin[] {
    return ctx.hooks.plugins
      .list()
      .map(toRuntimePlugin)
      .sort((a, b) => a.name.localeCompare(b.name) || a.packageName.localeCompare(b.packageName));
  }
}
