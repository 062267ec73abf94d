import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from './scalars.js';

@ObjectType('DurationPercentiles', { description: 'A distribution of durations: how many, and the median and 90th percentile (nearest rank).' })
export class DurationPercentiles {
  @Field(() => Int, { description: 'How many durations were measured.' }) count!: number;
  @Field(() => Float, { nullable: true, description: 'Median in seconds; null when none was measured.' }) p50Seconds?: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile in seconds; null when none was measured.' }) p90Seconds?: number | null;
}

@ObjectType('ChannelDeliveryMetrics', { description: 'Delivery metrics of one release channel over the window (definitions: docs/operations.md).' })
export class ChannelDeliveryMetrics {
  @Field(() => String, { description: 'The channel.' }) channel!: string;
  @Field(() => Boolean, { description: 'No other channel depends on it (where releases end up).' }) last!: boolean;
  @Field(() => Int, { description: 'Releases that converged here for the first time within the window.' }) deployments!: number;
  @Field(() => Float, { description: 'deployments ÷ window length in days.' }) deploymentsPerDay!: number;
  @Field(() => DurationPercentiles, { description: 'Release created → its first convergence here, for convergences in the window.' }) leadTime!: DurationPercentiles;
  @Field(() => Int, { description: 'Releases whose rollout here started within the window.' }) releasesReached!: number;
  @Field(() => Int, { description: 'Of those, releases that failed here: RELEASE_FAILED, a crash loop, or rolled back (by the engine or a person).' }) releasesFailed!: number;
  @Field(() => Float, { nullable: true, description: 'releasesFailed ÷ releasesReached; null when none reached the channel.' }) changeFailureRate?: number | null;
  @Field(() => DurationPercentiles, { description: 'A failure here (in the window) → the next convergence here (converged or rolled back).' }) timeToRestore!: DurationPercentiles;
  @Field(() => Int, { description: 'Failures in the window not restored by its end.' }) unrestored!: number;
}

@ObjectType('DeliveryMetrics', { description: "An application's delivery metrics over a window, from Driftless's own history (definitions: docs/operations.md)." })
export class DeliveryMetricsResult {
  @Field(() => String, { description: 'The application.' }) application!: string;
  @Field(() => DateTimeScalar, { description: 'Start of the window.' }) from!: Date;
  @Field(() => DateTimeScalar, { description: 'End of the window.' }) to!: Date;
  @Field(() => [ChannelDeliveryMetrics], { description: 'Per channel, in config order.' }) channels!: ChannelDeliveryMetrics[];
  @Field(() => DurationPercentiles, { description: 'Lead time to the last channels: release created → converged there.' }) leadTime!: DurationPercentiles;
  @Field(() => Int, { description: 'Releases that failed anywhere within the window.' }) failedReleases!: number;
  @Field(() => Int, { description: 'Of those, failures Driftless stopped itself (failed rollout, check, crash-loop verdict, its own rollback) before the last channels, which they never started in.' }) caughtAutomatically!: number;
  @Field(() => Float, { nullable: true, description: 'caughtAutomatically ÷ failedReleases; null when nothing failed.' }) caughtAutomaticallyShare?: number | null;
}
