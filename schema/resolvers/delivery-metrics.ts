import { GraphQLError } from 'graphql';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { canSeeApplication } from '../../server/auth/viewer.js';
import { deliveryMetricsOf } from '../../server/ops/delivery-history.js';
import type { Percentiles } from '../../server/ops/delivery-metrics.js';
import { ApplicationRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { DeliveryMetricsResult, DurationPercentiles } from '../types/delivery-metrics.js';
import { DateTimeScalar } from '../types/scalars.js';

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
const toPercentiles = (p: Percentiles) => Object.assign(new DurationPercentiles(), { count: p.count, p50Seconds: seconds(p.p50Ms), p90Seconds: seconds(p.p90Ms) });

@Resolver()
export class DeliveryMetricsResolver {
  @Query(() => DeliveryMetricsResult, { nullable: true, description: "Deployment frequency, lead time, change failure rate, time to restore and failures caught automatically, from the application's history over a window (default: the last 30 days). Null for an unknown application." })
  async deliveryMetrics(
    @Ctx() ctx: GraphQLContext,
    @Arg('application', () => String, { description: 'The application.' }) application: string,
    @Arg('days', () => Int, { nullable: true, description: 'Window length in days back from `to` (default 30); ignored with `from`.' }) days?: number,
    @Arg('from', () => DateTimeScalar, { nullable: true, description: 'Start of the window.' }) from?: Date,
    @Arg('to', () => DateTimeScalar, { nullable: true, description: 'End of the window (default: now).' }) to?: Date,
  ): Promise<DeliveryMetricsResult | null> {
    const app = canSeeApplication(ctx.viewer, application) ? await ctx.em.findOne(ApplicationRow, { name: application }) : null;
    if (!app) return null;
    const end = to?.getTime() ?? Date.now();
    if (days !== undefined && days !== null && (days < 1 || days > 3660)) throw new GraphQLError('days must be from 1 to 3660', { extensions: { code: 'BAD_USER_INPUT', path: ['days'] } });
    const start = from?.getTime() ?? end - (days ?? 30) * 86_400_000;
    if (start > end) throw new GraphQLError('from must be before to', { extensions: { code: 'BAD_USER_INPUT', path: ['from'] } });
    const m = await deliveryMetricsOf(ctx.em, app, start, end);
    return Object.assign(new DeliveryMetricsResult(), {
      application: app.name,
      from: new Date(m.from),
      to: new Date(m.to),
      channels: m.channels.map((c) => ({ ...c, leadTime: toPercentiles(c.leadTime), timeToRestore: toPercentiles(c.timeToRestore) })),
      leadTime: toPercentiles(m.leadTime),
      failedReleases: m.failedReleases,
      caughtAutomatically: m.caughtAutomatically,
      caughtAutomaticallyShare: m.caughtAutomaticallyShare,
    });
  }
}
