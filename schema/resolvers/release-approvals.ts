import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/core';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ApprovalRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toApproval } from '../mappers.js';
import { Approval } from '../types/approval.js';
import { Release } from '../types/domain.js';

/**
 * One query per batch of releases (a dashboard lists many). Keyed by the unit of work, so the
 * batch lives exactly as long as the request's (or a subscription payload's) EntityManager.
 */
const approvalLoaders = new WeakMap<EntityManager, DataLoader<string, ApprovalRow[]>>();

function approvalsByRelease(em: EntityManager): DataLoader<string, ApprovalRow[]> {
  let loader = approvalLoaders.get(em);
  if (!loader) {
    loader = new DataLoader(async (releaseIds) => {
      const rows = await em.find(ApprovalRow, { releaseId: { $in: [...releaseIds] } }, { orderBy: { createdAt: 'asc', actor: 'asc' } });
      return releaseIds.map((id) => rows.filter((r) => r.releaseId === id));
    });
    approvalLoaders.set(em, loader);
  }
  return loader;
}

@Resolver(() => Release)
export class ReleaseApprovalFields {
  @FieldResolver(() => [Approval], { description: 'Approvals and rejections of this release, oldest first; with `channel`, in that channel only.' })
  async approvals(@Root() release: Release, @Ctx() ctx: GraphQLContext, @Arg('channel', () => String, { nullable: true }) channel?: string | null): Promise<Approval[]> {
    const rows = await approvalsByRelease(ctx.em).load(release.row.id);
    // Every channel in one batch: awaiting them in turn made a query per approval.
    const channels = await Promise.all(rows.map((row) => ctx.loaders.channel.load(row.channelId)));
    const out: Approval[] = [];
    rows.forEach((row, i) => {
      const name = channels[i]?.name;
      // A decision for a channel that was since removed from the config has nothing to show.
      if (name && (!channel || name === channel)) out.push(toApproval(row, name));
    });
    return out;
  }
}
