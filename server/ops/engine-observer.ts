import type { EngineObserver } from '../engine/engine.js';
import type { DriftlessMetrics } from './metrics.js';

/** The engine's reports, turned into metric samples. */
export function engineObserver(metrics: DriftlessMetrics, onEvents?: () => void): EngineObserver {
  return {
    claimed: (n) => metrics.claimBatchSize.observe(n),
    leasesRenewed: (n) => metrics.leaseRenewals.inc(n),
    leasesRecovered: (n) => metrics.leasesRecovered.inc(n),
    tickFinished: (plugin, result) => metrics.tickFinished(plugin, result),
    applied: (applicationId, at) => metrics.applied(applicationId, at),
    intentChanged: (ids, at) => metrics.intentChanged(ids, at),
    eventsWritten: () => onEvents?.(),
  };
}
