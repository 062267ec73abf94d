import { describe, expect, it } from 'vitest';
import { deliveryTiles, type DeliveryData } from '../../../web/src/model/delivery-tiles.js';

const none = { count: 0, p50Seconds: null, p90Seconds: null };
const channel = (name: string, last: boolean, over: Partial<DeliveryData['channels'][number]> = {}) => ({
  channel: name, last, deployments: 0, deploymentsPerDay: 0, changeFailureRate: null, releasesReached: 0, releasesFailed: 0, timeToRestore: none, ...over,
});

describe('delivery tiles', () => {
  it('sum the last channels, word the rates and durations, and name who was caught', () => {
    const tiles = deliveryTiles({
      failedReleases: 4,
      caughtAutomatically: 3,
      caughtAutomaticallyShare: 0.75,
      leadTime: { count: 5, p50Seconds: 1_800, p90Seconds: 7_200 },
      channels: [
        channel('staging', false, { deployments: 20, releasesReached: 20, releasesFailed: 3 }),
        channel('prod-eu', true, { deployments: 5, deploymentsPerDay: 5 / 30, releasesReached: 6, releasesFailed: 1, timeToRestore: { count: 1, p50Seconds: 600 } }),
        channel('prod-us', true, { deployments: 4, deploymentsPerDay: 4 / 30, releasesReached: 4, releasesFailed: 0 }),
      ],
    });
    expect(tiles).toEqual([
      { label: 'Deployments', value: '9', detail: 'to prod-eu, prod-us, 2.1 a week' },
      { label: 'Lead time', value: '30m', detail: 'median, release created → converged in prod-eu, prod-us; p90 2h' },
      { label: 'Change failure rate', value: '10 %', detail: '1 of 10 releases that reached prod-eu, prod-us failed or were rolled back' },
      { label: 'Time to restore', value: '10m', detail: 'median, failure → converged again (1 restored)' },
      { label: 'Caught automatically', value: '75 %', detail: '3 of 4 failed releases stopped by a gate, a check or a crash-loop verdict before the last channel' },
    ]);
  });

  it('say plainly when there is nothing yet', () => {
    const tiles = deliveryTiles({ failedReleases: 0, caughtAutomatically: 0, caughtAutomaticallyShare: null, leadTime: none, channels: [channel('production', true)] });
    expect(tiles.map((t) => [t.value, t.detail])).toEqual([
      ['0', 'to production, 0.0 a week'],
      ['–', 'no release reached the last channel yet'],
      ['–', 'no release reached production'],
      ['–', 'nothing to restore'],
      ['–', 'no release failed'],
    ]);
  });

  it('give the rate per day once it is at least one a day', () => {
    const tiles = deliveryTiles({ failedReleases: 0, caughtAutomatically: 0, caughtAutomaticallyShare: null, leadTime: none, channels: [channel('production', true, { deployments: 75, deploymentsPerDay: 2.5 })] });
    expect(tiles[0]!.detail).toBe('to production, 2.5 a day');
  });
});
