/**
 * Delivery metrics from Driftless's own history (docs/operations.md has the same definitions,
 * and the numbers must keep matching them). Pure: events and releases in, numbers out.
 *
 * Window [from, to] per application and channel:
 * - deployments: releases that converged in the channel (first time, per release) within the window;
 *   per day = deployments ÷ window length in days.
 * - lead time: release created → its first convergence in the channel, for those convergences in the
 *   window; p50/p90 by nearest rank. The application's lead time is to its last channels (those no
 *   other channel depends on).
 * - change failure rate: releases that reached the channel (their first ROLLOUT_STARTED there is in
 *   the window) and failed there (RELEASE_FAILED, a crash loop, or a rollback away from them, by the
 *   engine or a person: marked bad) ÷ releases that reached it.
 * - time to restore: the first failure of a release in the channel (in the window) → the channel's
 *   next convergence (INSTANCE_CONVERGED or INSTANCE_ROLLED_BACK); failures not yet restored are
 *   counted apart and not in the percentiles.
 * - caught automatically: failed releases (failure in the window, any channel) that Driftless stopped
 *   itself (RELEASE_FAILED, a crash-loop verdict, or a rollback it started) in a channel before the
 *   last ones and that never started in a last channel ÷ all failed releases.
 */

export interface HistoryEvent {
  at: number;
  type: string;
  channel: string | null;
  data: Record<string, unknown> | null;
}

export interface DeliveryHistory {
  /** Channel names and whether they are last (no channel depends on them). */
  channels: { name: string; last: boolean }[];
  releases: { id: string; createdAt: number }[];
  /** Any order; only the types below matter. */
  events: HistoryEvent[];
  from: number;
  to: number;
}

export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface ChannelDeliveryMetrics {
  channel: string;
  last: boolean;
  deployments: number;
  deploymentsPerDay: number;
  leadTime: Percentiles;
  releasesReached: number;
  releasesFailed: number;
  /** null when no release reached the channel in the window. */
  changeFailureRate: number | null;
  timeToRestore: Percentiles;
  unrestored: number;
}

export interface DeliveryMetrics {
  from: number;
  to: number;
  channels: ChannelDeliveryMetrics[];
  /** Lead time to the last channels. */
  leadTime: Percentiles;
  failedReleases: number;
  caughtAutomatically: number;
  /** null when nothing failed in the window. */
  caughtAutomaticallyShare: number | null;
}

const DAY = 86_400_000;

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => (sorted.length ? sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]! : null);
  return { count: sorted.length, p50Ms: rank(0.5), p90Ms: rank(0.9) };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The release an event's failure is about, and whether Driftless (not a person) decided it. */
function failureOf(e: HistoryEvent): { releaseId: string; automatic: boolean } | null {
  if (e.type === 'RELEASE_FAILED' || e.type === 'CRASH_LOOP_DETECTED') {
    const id = str(e.data?.releaseId);
    return id ? { releaseId: id, automatic: true } : null;
  }
  if (e.type === 'ROLLBACK_STARTED') {
    const id = str(e.data?.from);
    return id ? { releaseId: id, automatic: !e.data?.requestedBy } : null;
  }
  return null;
}

export function deliveryMetrics(h: DeliveryHistory): DeliveryMetrics {
  const inWindow = (at: number) => at >= h.from && at <= h.to;
  const created = new Map(h.releases.map((r) => [r.id, r.createdAt]));
  const events = h.events.filter((e) => e.at <= h.to).sort((a, b) => a.at - b.at);
  const lastChannels = new Set(h.channels.filter((c) => c.last).map((c) => c.name));
  const days = Math.max((h.to - h.from) / DAY, 1 / 24);

  const channels: ChannelDeliveryMetrics[] = [];
  const leadToLast: number[] = [];
  for (const channel of h.channels) {
    const here = events.filter((e) => e.channel === channel.name);
    const firstConverged = new Map<string, number>();
    const firstStarted = new Map<string, number>();
    const firstFailure = new Map<string, number>();
    for (const e of here) {
      const releaseId = str(e.data?.releaseId);
      if (e.type === 'INSTANCE_CONVERGED' && releaseId && !firstConverged.has(releaseId)) firstConverged.set(releaseId, e.at);
      if (e.type === 'ROLLOUT_STARTED' && releaseId && !firstStarted.has(releaseId)) firstStarted.set(releaseId, e.at);
      const failure = failureOf(e);
      if (failure && !firstFailure.has(failure.releaseId)) firstFailure.set(failure.releaseId, e.at);
    }
    const converged = [...firstConverged].filter(([, at]) => inWindow(at));
    const leads = converged.flatMap(([id, at]) => (created.has(id) ? [at - created.get(id)!] : []));
    if (channel.last) leadToLast.push(...leads);
    const reached = [...firstStarted].filter(([, at]) => inWindow(at)).map(([id]) => id);
    const failed = reached.filter((id) => firstFailure.has(id));
    const restores: number[] = [];
    let unrestored = 0;
    for (const [, failedAt] of [...firstFailure].filter(([, at]) => inWindow(at))) {
      const back = here.find((e) => e.at > failedAt && (e.type === 'INSTANCE_CONVERGED' || e.type === 'INSTANCE_ROLLED_BACK'));
      if (back) restores.push(back.at - failedAt);
      else unrestored += 1;
    }
    channels.push({
      channel: channel.name,
      last: channel.last,
      deployments: converged.length,
      deploymentsPerDay: converged.length / days,
      leadTime: percentiles(leads),
      releasesReached: reached.length,
      releasesFailed: failed.length,
      changeFailureRate: reached.length ? failed.length / reached.length : null,
      timeToRestore: percentiles(restores),
      unrestored,
    });
  }

  // Caught automatically: over every failed release of the application.
  const failures = new Map<string, { at: number; caughtEarly: boolean }>();
  const startedInLast = new Set<string>();
  for (const e of events) {
    if (e.type === 'ROLLOUT_STARTED' && e.channel && lastChannels.has(e.channel)) {
      const id = str(e.data?.releaseId);
      if (id) startedInLast.add(id);
    }
    const failure = failureOf(e);
    if (!failure || failures.has(failure.releaseId)) continue;
    failures.set(failure.releaseId, { at: e.at, caughtEarly: failure.automatic && !!e.channel && !lastChannels.has(e.channel) });
  }
  const failedInWindow = [...failures].filter(([, f]) => inWindow(f.at));
  const caught = failedInWindow.filter(([id, f]) => f.caughtEarly && !startedInLast.has(id)).length;
  return {
    from: h.from,
    to: h.to,
    channels,
    leadTime: percentiles(leadToLast),
    failedReleases: failedInWindow.length,
    caughtAutomatically: caught,
    caughtAutomaticallyShare: failedInWindow.length ? caught / failedInWindow.length : null,
  };
}
