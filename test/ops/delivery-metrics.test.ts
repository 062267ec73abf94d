import { describe, expect, it } from 'vitest';
import { deliveryMetrics, type HistoryEvent } from '../../server/ops/delivery-metrics.js';

const M = 60_000;
const ev = (min: number, type: string, channel: string, data: Record<string, unknown>): HistoryEvent => ({ at: min * M, type, channel, data });

/**
 * A scripted history (minutes): r1 goes through; r2 fails in staging and is rolled back there
 * (caught before production); r3 fails in production and is rolled back; r4 converges in production
 * and a person rolls it back; r0 is from before the window.
 */
const HISTORY: HistoryEvent[] = [
  ev(-95, 'ROLLOUT_STARTED', 'staging', { releaseId: 'r0' }),
  ev(-90, 'INSTANCE_CONVERGED', 'staging', { releaseId: 'r0' }),
  ev(1, 'ROLLOUT_STARTED', 'staging', { releaseId: 'r1' }),
  ev(5, 'INSTANCE_CONVERGED', 'staging', { releaseId: 'r1' }),
  ev(10, 'ROLLOUT_STARTED', 'production', { releaseId: 'r1' }),
  ev(20, 'INSTANCE_CONVERGED', 'production', { releaseId: 'r1' }),
  ev(101, 'ROLLOUT_STARTED', 'staging', { releaseId: 'r2' }),
  ev(105, 'RELEASE_FAILED', 'staging', { releaseId: 'r2', code: 'PROGRESS_DEADLINE_EXCEEDED' }),
  ev(106, 'ROLLBACK_STARTED', 'staging', { from: 'r2', to: 'r1' }),
  ev(110, 'INSTANCE_ROLLED_BACK', 'staging', { releaseId: 'r1' }),
  ev(201, 'ROLLOUT_STARTED', 'staging', { releaseId: 'r3' }),
  ev(210, 'INSTANCE_CONVERGED', 'staging', { releaseId: 'r3' }),
  ev(220, 'ROLLOUT_STARTED', 'production', { releaseId: 'r3' }),
  ev(230, 'RELEASE_FAILED', 'production', { releaseId: 'r3' }),
  ev(231, 'ROLLBACK_STARTED', 'production', { from: 'r3', to: 'r1' }),
  ev(240, 'INSTANCE_ROLLED_BACK', 'production', { releaseId: 'r1' }),
  ev(301, 'ROLLOUT_STARTED', 'staging', { releaseId: 'r4' }),
  ev(305, 'INSTANCE_CONVERGED', 'staging', { releaseId: 'r4' }),
  ev(310, 'ROLLOUT_STARTED', 'production', { releaseId: 'r4' }),
  ev(330, 'INSTANCE_CONVERGED', 'production', { releaseId: 'r4' }),
  ev(400, 'ROLLBACK_STARTED', 'production', { from: 'r4', to: 'r1', requestedBy: 'token:alice' }),
  ev(410, 'INSTANCE_ROLLED_BACK', 'production', { releaseId: 'r1' }),
  // Noise the metrics must ignore.
  ev(411, 'INSTANCE_STATUS_CHANGED', 'production', { status: 'CONVERGED' }),
  ev(412, 'INSTANCE_SELF_HEALED', 'production', {}),
];
const RELEASES = [
  { id: 'r0', createdAt: -100 * M },
  { id: 'r1', createdAt: 0 },
  { id: 'r2', createdAt: 100 * M },
  { id: 'r3', createdAt: 200 * M },
  { id: 'r4', createdAt: 300 * M },
];
const CHANNELS = [
  { name: 'staging', last: false },
  { name: 'production', last: true },
];

describe('issue 14.4: delivery metrics over a scripted history, against hand-computed values', () => {
  it.each([
    {
      title: 'one day holding everything but r0',
      from: 0,
      to: 1440 * M,
      staging: { deployments: 3, deploymentsPerDay: 3, leadTime: { count: 3, p50Ms: 5 * M, p90Ms: 10 * M }, releasesReached: 4, releasesFailed: 1, changeFailureRate: 0.25, timeToRestore: { count: 1, p50Ms: 5 * M, p90Ms: 5 * M }, unrestored: 0 },
      production: { deployments: 2, deploymentsPerDay: 2, leadTime: { count: 2, p50Ms: 20 * M, p90Ms: 30 * M }, releasesReached: 3, releasesFailed: 2, changeFailureRate: 2 / 3, timeToRestore: { count: 2, p50Ms: 10 * M, p90Ms: 10 * M }, unrestored: 0 },
      app: { leadTime: { count: 2, p50Ms: 20 * M, p90Ms: 30 * M }, failedReleases: 3, caughtAutomatically: 1, caughtAutomaticallyShare: 1 / 3 },
    },
    {
      title: 'half a day from minute 250: only r4, whose rollback by a person is not restored by minute 405',
      from: 250 * M,
      to: 405 * M,
      staging: { deployments: 1, deploymentsPerDay: 1 / ((155 * M) / 86_400_000), leadTime: { count: 1, p50Ms: 5 * M, p90Ms: 5 * M }, releasesReached: 1, releasesFailed: 0, changeFailureRate: 0, timeToRestore: { count: 0, p50Ms: null, p90Ms: null }, unrestored: 0 },
      production: { deployments: 1, deploymentsPerDay: 1 / ((155 * M) / 86_400_000), leadTime: { count: 1, p50Ms: 30 * M, p90Ms: 30 * M }, releasesReached: 1, releasesFailed: 1, changeFailureRate: 1, timeToRestore: { count: 0, p50Ms: null, p90Ms: null }, unrestored: 1 },
      app: { leadTime: { count: 1, p50Ms: 30 * M, p90Ms: 30 * M }, failedReleases: 1, caughtAutomatically: 0, caughtAutomaticallyShare: 0 },
    },
    {
      title: 'a window with nothing in it',
      from: 2000 * M,
      to: 3440 * M,
      staging: { deployments: 0, deploymentsPerDay: 0, leadTime: { count: 0, p50Ms: null, p90Ms: null }, releasesReached: 0, releasesFailed: 0, changeFailureRate: null, timeToRestore: { count: 0, p50Ms: null, p90Ms: null }, unrestored: 0 },
      production: { deployments: 0, deploymentsPerDay: 0, leadTime: { count: 0, p50Ms: null, p90Ms: null }, releasesReached: 0, releasesFailed: 0, changeFailureRate: null, timeToRestore: { count: 0, p50Ms: null, p90Ms: null }, unrestored: 0 },
      app: { leadTime: { count: 0, p50Ms: null, p90Ms: null }, failedReleases: 0, caughtAutomatically: 0, caughtAutomaticallyShare: null },
    },
  ])('$title', ({ from, to, staging, production, app }) => {
    const m = deliveryMetrics({ channels: CHANNELS, releases: RELEASES, events: [...HISTORY].reverse(), from, to });
    const [s, p] = m.channels;
    expect({ ...s, deploymentsPerDay: undefined }).toEqual({ channel: 'staging', last: false, ...staging, deploymentsPerDay: undefined });
    expect(s!.deploymentsPerDay).toBeCloseTo(staging.deploymentsPerDay, 9);
    expect({ ...p, deploymentsPerDay: undefined, changeFailureRate: undefined }).toEqual({ channel: 'production', last: true, ...production, deploymentsPerDay: undefined, changeFailureRate: undefined });
    expect(p!.deploymentsPerDay).toBeCloseTo(production.deploymentsPerDay, 9);
    if (production.changeFailureRate === null) expect(p!.changeFailureRate).toBeNull();
    else expect(p!.changeFailureRate).toBeCloseTo(production.changeFailureRate, 9);
    expect({ leadTime: m.leadTime, failedReleases: m.failedReleases, caughtAutomatically: m.caughtAutomatically }).toEqual({ leadTime: app.leadTime, failedReleases: app.failedReleases, caughtAutomatically: app.caughtAutomatically });
    if (app.caughtAutomaticallyShare === null) expect(m.caughtAutomaticallyShare).toBeNull();
    else expect(m.caughtAutomaticallyShare).toBeCloseTo(app.caughtAutomaticallyShare, 9);
  });
});
