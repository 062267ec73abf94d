import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { previewConfig } from '../../server/services/preview-config.js';
import type { GraphQLContext } from '../context.js';
import { toDesiredState } from '../mappers.js';
import { ConfigObjectChange, ConfigPreview, PreviewConfigInput } from '../types/payloads.js';
import { toUserErrors } from '../types/user-error.js';

@Resolver()
export class PreviewResolver {
  @Query(() => ConfigPreview, { description: 'Dry run of applyConfig: per application, channel and service the compiled desired state, and what would change. Writes nothing.' })
  async previewConfig(@Arg('input', () => PreviewConfigInput) input: PreviewConfigInput, @Ctx() ctx: GraphQLContext): Promise<ConfigPreview> {
    const outcome = await previewConfig(ctx.em, ctx.viewer, input.documents, input.params ?? {}, ctx.hooks.validatePlugins, ctx.hooks.secrets);
    return {
      changes: outcome.changes.map((c) => Object.assign(new ConfigObjectChange(), { kind: c.kind, name: c.name, application: c.application, action: c.action, ref: null })),
      applications: outcome.applications.map((a) => ({
        name: a.name,
        channels: a.channels.map((c) => ({
          name: c.name,
          runtime: c.runtime,
          services: c.services.map((s) => ({ name: s.name, paramsSource: s.paramsSource, action: s.action, desiredState: toDesiredState(s.desiredState), userErrors: toUserErrors(s.userErrors) })),
        })),
        releases: a.releases,
      })),
      userErrors: toUserErrors(outcome.userErrors),
    };
  }
}
