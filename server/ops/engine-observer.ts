import type { EngineObserver } from '../engine/engine.js';
import type { Logger } from '../logger.js';
import type { DriftlessMetrics } from './metrics.js';

/** Engine decisions a person on call wants in the log (the rest is in the event history). */
// Info, not warn: these are the engine doing its job (a failed release is the user's news, not the
// server's problem); `driftless demo` logs at warn and keeps its story clean.
const WORTH_A_LOG = new Set(['ROLLOUT_STARTED', 'INSTANCE_CONVERGED', 'INSTANCE_SELF_HEALED', 'RELEASE_FAILED', 'ROLLBACK_STARTED', 'INSTANCE_ROLLED_BACK', 'CRASH_LOOP_DETECTED', 'HEALTH_DEGRADED', 'HEALTH_RECOVERED', 'RELEASE_SUPERSEDED']);

/** The engine's reports, turned into metric samples, decision log lines and a nudge for the notifier. */
export function engineObserver(metrics: DriftlessMetrics, options: { logger?: Logger; onEvents?: () => void } = {}): EngineObserver {
  return {
    claimed: (n) => metrics.claimBatchSize.observe(n),
    leasesRenewed: (n) => metrics.leaseRenewals.inc(n),
    leasesRecovered: (n) => metrics.leasesRecovered.inc(n),
    tickFinished: (plugin, result) => metrics.tickFinished(plugin, result),
    applied: (applicationId, at) => metrics.applied(applicationId, at),
    intentChanged: (ids, at) => metrics.intentChanged(ids, at),
    eventsWritten: (events) => {
      options.onEvents?.();
      const logger = options.logger;
      if (!logger) return;
      for (const e of events) {
        if (WORTH_A_LOG.has(e.type)) logger.info({ decision: e.type, application: e.application, channel: e.channel, service: e.service }, e.message);
      }
    },
  };
}
