import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { describeChange, diffStates, type FieldChange as FieldChangeData } from '../../server/compiler/index.js';
import type { CompiledChannelState } from '../../server/compiler/types.js';
import type { EngineState } from '../../server/engine/types.js';
import { GateBypassRow, ReleaseChannelRow, ServiceInstanceRow, type ReleaseRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toDesiredState, toRelease } from '../mappers.js';
import { Release, ServiceInstance } from '../types/domain.js';
import { FieldChange, GateBypass, ReleaseChannelState, ReleasePlan } from '../types/release-details.js';

function toFieldChanges(changes: FieldChangeData[]): FieldChange[] {
  return changes.map((c) => Object.assign(new FieldChange(), { path: c.path, before: c.before ?? null, after: c.after ?? null, summary: describeChange(c) }));
}

/** What runs in an instance's channel now: the state of its converged release (from its history), else nothing. */
function runningState(instance: ServiceInstanceRow): { releaseId: string; state: CompiledChannelState } | null {
  const id = instance.convergedReleaseId;
  if (!id) return null;
  if (instance.targetReleaseId === id && instance.targetState) return { releaseId: id, state: instance.targetState };
  const h = (instance.engineState as EngineState).history?.find((e) => e.releaseId === id);
  return h ? { releaseId: id, state: h.state } : null;
}

@Resolver(() => Release)
export class ReleaseDetailFields {
  @FieldResolver(() => Release, { nullable: true, description: 'The release before it (what changeSummary compares with).' })
  async basedOn(@Root() release: Release, @Ctx() ctx: GraphQLContext): Promise<Release | null> {
    const id = release.row.basedOnReleaseId;
    const row = id ? await ctx.loaders.release.load(id) : undefined;
    return row ? toRelease(row) : null;
  }

  @FieldResolver(() => [ReleaseChannelState], { description: 'The desired state compiled for each channel, in dependency order.' })
  channelStates(@Root() release: Release): ReleaseChannelState[] {
    const row: ReleaseRow = release.row;
    return Object.entries(row.states).map(([channel, state]) =>
      Object.assign(new ReleaseChannelState(), { channel, desiredState: toDesiredState(state)!, changes: toFieldChanges(row.changes?.[channel] ?? []) }),
    );
  }

  @FieldResolver(() => ReleasePlan, { nullable: true, description: 'What rolling it out in this channel changes against what runs there now; null when the release has no state for that channel.' })
  async plan(@Root() release: Release, @Ctx() ctx: GraphQLContext, @Arg('channel', () => String) channel: string): Promise<ReleasePlan | null> {
    const state = release.row.states[channel];
    if (!state) return null;
    const channels = await ctx.loaders.channelsByApplication.load(release.row.applicationId);
    const channelRow = channels.find((c: ReleaseChannelRow) => c.name === channel);
    const instance = channelRow ? (await ctx.loaders.instancesByChannel.load(channelRow.id)).find((i: ServiceInstanceRow) => i.serviceId === release.row.serviceId) : undefined;
    const running = instance ? runningState(instance) : null;
    const runningRow = running ? await ctx.loaders.release.load(running.releaseId) : undefined;
    return Object.assign(new ReleasePlan(), { channel, running: runningRow ? toRelease(runningRow) : null, changes: toFieldChanges(diffStates(running?.state, state)) });
  }

  @FieldResolver(() => [GateBypass], { description: 'Gates an admin bypassed for this release, per channel.' })
  async bypasses(@Root() release: Release, @Ctx() ctx: GraphQLContext): Promise<GateBypass[]> {
    const rows = await ctx.em.find(GateBypassRow, { releaseId: release.row.id }, { orderBy: { createdAt: 'asc' } });
    const out: GateBypass[] = [];
    for (const b of rows) {
      const name = (await ctx.loaders.channel.load(b.channelId))?.name;
      if (name) out.push(Object.assign(new GateBypass(), { channel: name, gate: b.gate, actor: b.actor, reason: b.reason, createdAt: b.createdAt }));
    }
    return out;
  }
}

@Resolver(() => ServiceInstance)
export class ServiceInstancePlanFields {
  @FieldResolver(() => [FieldChange], { description: 'What the desired release changes here against what runs here now (empty when it is what runs).' })
  plan(@Root() instance: ServiceInstance): FieldChange[] {
    const desired = instance.row.desiredState;
    if (!desired) return [];
    return toFieldChanges(diffStates(runningState(instance.row)?.state, desired));
  }
}
