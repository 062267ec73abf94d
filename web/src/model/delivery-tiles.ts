/**
 * The delivery-metrics tiles of the application page (pure): the four DORA-style numbers for the
 * channels where releases end up, plus the share of failures Driftless caught itself. Definitions
 * are the API's (docs/operations.md); this only picks and words them.
 */
import { formatDuration } from './time.js';

interface Percentiles {
  count: number;
  p50Seconds?: number | null;
  p90Seconds?: number | null;
}

export interface DeliveryData {
  failedReleases: number;
  caughtAutomatically: number;
  caughtAutomaticallyShare?: number | null;
  leadTime: Percentiles;
  channels: readonly {
    channel: string;
    last: boolean;
    deployments: number;
    deploymentsPerDay: number;
    changeFailureRate?: number | null;
    releasesReached: number;
    releasesFailed: number;
    timeToRestore: Percentiles;
  }[];
}

export interface Tile {
  label: string;
  value: string;
  detail: string;
}

const percent = (share: number) => `${Math.round(share * 100)} %`;
/** "2.5 a day", or per week when under one a day ("0.0 a day" would hide a weekly release). */
const rate = (perDay: number) => (perDay >= 1 ? `${perDay.toFixed(perDay < 10 ? 1 : 0)} a day` : `${(perDay * 7).toFixed(1)} a week`);
const seconds = (s: number | null | undefined) => (s === null || s === undefined ? undefined : formatDuration(s * 1000));

export function deliveryTiles(data: DeliveryData): Tile[] {
  const last = data.channels.filter((c) => c.last);
  const where = last.map((c) => c.channel).join(', ') || 'no channel';
  const deployments = last.reduce((n, c) => n + c.deployments, 0);
  const perDay = last.reduce((n, c) => n + c.deploymentsPerDay, 0);
  const reached = last.reduce((n, c) => n + c.releasesReached, 0);
  const failed = last.reduce((n, c) => n + c.releasesFailed, 0);
  const restore = last.find((c) => c.timeToRestore.count > 0)?.timeToRestore;
  return [
    { label: 'Deployments', value: String(deployments), detail: `to ${where}, ${rate(perDay)}` },
    {
      label: 'Lead time',
      value: seconds(data.leadTime.p50Seconds) ?? '–',
      detail: data.leadTime.count ? `median, release created → converged in ${where}; p90 ${seconds(data.leadTime.p90Seconds)}` : 'no release reached the last channel yet',
    },
    {
      label: 'Change failure rate',
      value: reached ? percent(failed / reached) : '–',
      detail: reached ? `${failed} of ${reached} releases that reached ${where} failed or were rolled back` : `no release reached ${where}`,
    },
    {
      label: 'Time to restore',
      value: seconds(restore?.p50Seconds) ?? '–',
      detail: restore ? `median, failure → converged again (${restore.count} restored)` : 'nothing to restore',
    },
    {
      label: 'Caught automatically',
      value: data.caughtAutomaticallyShare === null || data.caughtAutomaticallyShare === undefined ? '–' : percent(data.caughtAutomaticallyShare),
      detail: data.failedReleases ? `${data.caughtAutomatically} of ${data.failedReleases} failed releases stopped by a gate, a check or a crash-loop verdict before the last channel` : 'no release failed',
    },
  ];
}
