import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { applyConfig } from '../../server/services/apply-config.js';
import { createRelease } from '../../server/services/create-release.js';
import { createGroupRelease } from '../../server/services/create-group-release.js';
import { publishEvents } from '../../server/services/live-events.js';
import { deleteApplication, deleteRuntime, deleteService } from '../../server/services/delete-objects.js';
import { createApiToken, revokeApiToken } from '../../server/services/tokens.js';
import { userError } from '../../server/domain/user-error.js';
import type { GraphQLContext } from '../context.js';
import { toApiToken, toRelease, toReleaseGroup } from '../mappers.js';
import { fromGlobalId, toGlobalId } from '../types/node.js';
import {
  ApplyConfigInput,
  ApplyConfigPayload,
  ConfigObjectChange,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  CreateReleaseInput,
  CreateReleasePayload,
  DeleteApplicationInput,
  DeletePayload,
  DeleteRuntimeInput,
  DeleteServiceInput,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
} from '../types/payloads.js';
import { toUserErrors } from '../types/user-error.js';

@Resolver()
export class MutationResolver {
  @Mutation(() => ApplyConfigPayload, { description: 'Create or update runtimes, applications and services from YAML. All or nothing; re-applying the same text changes nothing.' })
  async applyConfig(@Arg('input', () => ApplyConfigInput) input: ApplyConfigInput, @Ctx() ctx: GraphQLContext): Promise<ApplyConfigPayload> {
    const outcome = await applyConfig(ctx.em, ctx.viewer, input.documents, ctx.hooks.validatePlugins, ctx.hooks.secrets);
    publishEvents(ctx.hooks.live, outcome.events);
    // Also with no application changed (a runtime's config, say): every engine reads the config again.
    if (outcome.objects.some((o) => o.action !== 'UNCHANGED')) ctx.hooks.intentChanged(outcome.changedApplicationIds);
    if (outcome.removals) ctx.hooks.engine?.removalsChanged();
    if (outcome.notifiersChanged) ctx.hooks.notifiersChanged?.();
    const toChange = (o: (typeof outcome.objects)[number]) =>
      Object.assign(new ConfigObjectChange(), { kind: o.kind, name: o.name, application: o.application, action: o.action, ref: { kind: o.kind as 'Runtime' | 'Application' | 'Service', rowId: o.id } });
    return {
      created: outcome.objects.filter((o) => o.action === 'CREATE').map(toChange),
      updated: outcome.objects.filter((o) => o.action === 'UPDATE').map(toChange),
      unchanged: outcome.objects.filter((o) => o.action === 'UNCHANGED').map(toChange),
      userErrors: toUserErrors(outcome.userErrors),
    };
  }

  @Mutation(() => DeletePayload, { description: 'Delete an application with its channels, services, releases and instances; what ran is removed from the runtimes (durably: a restarted server finishes it).' })
  async deleteApplication(@Arg('input', () => DeleteApplicationInput) input: DeleteApplicationInput, @Ctx() ctx: GraphQLContext): Promise<DeletePayload> {
    const outcome = await deleteApplication(ctx.em, ctx.viewer, input.name, input.expectedVersion);
    // The rows are gone and the removal intents written; the engine now removes what ran.
    if (outcome.removals) ctx.hooks.engine?.removalsChanged();
    return { deletedId: outcome.deletedId ? toGlobalId('Application', outcome.deletedId) : null, userErrors: toUserErrors(outcome.userErrors) };
  }

  @Mutation(() => DeletePayload, { description: 'Delete one service of an application with its releases and instances; what ran is removed from the runtimes (durably).' })
  async deleteService(@Arg('input', () => DeleteServiceInput) input: DeleteServiceInput, @Ctx() ctx: GraphQLContext): Promise<DeletePayload> {
    const outcome = await deleteService(ctx.em, ctx.viewer, input.application, input.name, input.expectedVersion);
    if (outcome.removals) ctx.hooks.engine?.removalsChanged();
    return { deletedId: outcome.deletedId ? toGlobalId('Service', outcome.deletedId) : null, userErrors: toUserErrors(outcome.userErrors) };
  }

  @Mutation(() => DeletePayload, { description: 'Delete a runtime. Refused while a release channel uses it.' })
  async deleteRuntime(@Arg('input', () => DeleteRuntimeInput) input: DeleteRuntimeInput, @Ctx() ctx: GraphQLContext): Promise<DeletePayload> {
    const outcome = await deleteRuntime(ctx.em, ctx.viewer, input.name, input.expectedVersion);
    return { deletedId: outcome.deletedId ? toGlobalId('Runtime', outcome.deletedId) : null, userErrors: toUserErrors(outcome.userErrors) };
  }

  @Mutation(() => CreateReleasePayload, { description: 'Deliver these parameter values everywhere, by the rules of each channel: one service (service, params), or several released as one (services).' })
  async createRelease(@Arg('input', () => CreateReleaseInput) input: CreateReleaseInput, @Ctx() ctx: GraphQLContext): Promise<CreateReleasePayload> {
    if (input.services?.length) {
      if (input.service || input.params) return { release: null, group: null, userErrors: toUserErrors([userError('INVALID_INPUT', 'give either service and params, or services: not both', ['services'])]) };
      const outcome = await createGroupRelease(ctx.em, ctx.viewer, { application: input.application, services: input.services });
      if (!outcome.group) return { release: null, group: null, userErrors: toUserErrors(outcome.userErrors) };
      publishEvents(ctx.hooks.live, outcome.events);
      ctx.hooks.engine?.servicesChanged(outcome.releases.map((r) => r.serviceId));
      return { release: toRelease(outcome.releases[0]!), group: toReleaseGroup(outcome.group), userErrors: [] };
    }
    if (!input.service) return { release: null, group: null, userErrors: toUserErrors([userError('INVALID_INPUT', 'name the service to release (or give services for several at once)', ['service'])]) };
    const outcome = await createRelease(ctx.em, ctx.viewer, { application: input.application, service: input.service, params: input.params ?? {} });
    if (outcome.release) {
      publishEvents(ctx.hooks.live, outcome.events);
      // The release's instances are due first (URGENT in the database, for a replica that takes
      // them over); their owner is told, wherever it runs. Nothing else changed: the rest of the
      // application is not woken.
      ctx.hooks.engine?.servicesChanged([outcome.release.serviceId]);
    }
    return { release: outcome.release ? toRelease(outcome.release) : null, group: null, userErrors: toUserErrors(outcome.userErrors) };
  }

  @Mutation(() => CreateApiTokenPayload)
  async createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: GraphQLContext): Promise<CreateApiTokenPayload> {
    const outcome = await createApiToken(ctx.em, ctx.viewer, input);
    return { apiToken: outcome.token ? toApiToken(outcome.token) : null, secret: outcome.secret ?? null, userErrors: toUserErrors(outcome.userErrors) };
  }

  @Mutation(() => RevokeApiTokenPayload)
  async revokeApiToken(@Arg('input', () => RevokeApiTokenInput) input: RevokeApiTokenInput, @Ctx() ctx: GraphQLContext): Promise<RevokeApiTokenPayload> {
    const ref = fromGlobalId(input.id);
    if (ref?.type !== 'ApiToken') return { apiToken: null, userErrors: toUserErrors([userError('NOT_FOUND', 'no such token', ['id'])]) };
    const outcome = await revokeApiToken(ctx.em, ctx.viewer, ref.id);
    // After the commit: open WebSockets of this token close on every replica (http/ws-server.ts).
    if (outcome.token) ctx.hooks.live.publish('TOKEN_CHANGED', { tokenId: outcome.token.id });
    return { apiToken: outcome.token ? toApiToken(outcome.token) : null, userErrors: toUserErrors(outcome.userErrors) };
  }
}
