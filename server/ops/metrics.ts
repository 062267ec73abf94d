import type { MikroORM } from '@mikro-orm/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TickResult } from '../../worker/types.js';

/** Reason codes that name a gate a waiting instance is held by (the label values of driftless_gates_waiting). */
const GATE_CODES = new Set(['AWAITING_APPROVAL', 'SOAKING', 'OUTSIDE_ALLOWED_TIMES', 'ALERTS_FIRING', 'CHECK_FAILING', 'DEPENDENCY_NOT_CONVERGED', 'HEALTH_HOLD', 'UPSTREAM_UNHEALTHY', 'PINNED', 'SOAK_PROTECTED', 'QUEUED', 'CONCURRENCY_LIMIT', 'GROUP_WAITING', 'ROLLOUT_STEP', 'VERIFYING', 'RELEASE_REJECTED']);

/**
 * Every Prometheus metric the server exposes, in one registry per server (tests run several
 * servers in one process; a global registry would mix them). Labels are bounded: names from
 * config (application, channel, plugin), enums (status, hook, outcome, reason code) and nothing
 * else: no release ids, no messages. README "Operating Driftless" says what each one means.
 */
export class DriftlessMetrics {
  readonly registry = new Registry();
  readonly ticks: Counter<'outcome'>;
  readonly tickDuration: Histogram<'outcome'>;
  readonly pluginCalls: Counter<'plugin' | 'hook' | 'outcome'>;
  readonly pluginCallDuration: Histogram<'plugin' | 'hook'>;
  readonly pluginTimeouts: Counter<'plugin' | 'hook'>;
  readonly claimBatchSize: Histogram;
  readonly leaseRenewals: Counter;
  readonly leasesRecovered: Counter;
  readonly reactionTime: Histogram;
  readonly apiRequests: Counter<'operation_type' | 'result'>;
  readonly apiRequestDuration: Histogram<'operation_type'>;
  readonly wsConnections: Gauge;
  readonly wsSubscriptions: Gauge;
  readonly notificationDeliveries: Counter<'result'>;
  /** Intent changes not yet followed by an apply: application id → when (bounded by applications). */
  private readonly pendingIntent = new Map<string, number>();

  constructor(opts: { orm: MikroORM }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'driftless_' });
    const orm = opts.orm;
    new Gauge({
      name: 'driftless_instances',
      help: 'Service instances by application, channel and convergence status.',
      labelNames: ['application', 'channel', 'status'],
      registers,
      async collect() {
        this.reset();
        const rows: { application: string; channel: string; status: string; n: unknown }[] = await orm.em.getConnection().execute(
          `SELECT a.name AS application, c.name AS channel, si.status AS status, COUNT(*) AS n
             FROM service_instances si JOIN applications a ON a.id = si.application_id JOIN release_channels c ON c.id = si.channel_id
            GROUP BY a.name, c.name, si.status`,
        );
        for (const r of rows) this.set({ application: r.application, channel: r.channel, status: r.status }, Number(r.n));
      },
    });
    new Gauge({
      name: 'driftless_gates_waiting',
      help: 'Service instances waiting on a gate, by gate (its reason code: AWAITING_APPROVAL, SOAKING, CHECK_FAILING, ...); one instance counts once per gate it waits on.',
      labelNames: ['type'],
      registers,
      async collect() {
        this.reset();
        const rows: { reasons: unknown }[] = await orm.em.getConnection().execute(`SELECT reasons FROM service_instances WHERE status = 'WAITING'`);
        const counts = new Map<string, number>();
        for (const r of rows) {
          const reasons = (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons) as { code?: string }[] | null;
          for (const code of new Set((reasons ?? []).map((x) => x.code).filter((c): c is string => !!c && GATE_CODES.has(c)))) counts.set(code, (counts.get(code) ?? 0) + 1);
        }
        for (const [type, n] of counts) this.set({ type }, n);
      },
    });
    const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    this.ticks = new Counter({ name: 'driftless_engine_ticks_total', help: 'Ticks run by the engine, by outcome (converged, applied, observed, error, timeout).', labelNames: ['outcome'], registers });
    this.tickDuration = new Histogram({ name: 'driftless_engine_tick_duration_seconds', help: 'Duration of one tick (fetch, decide, maybe apply) in a worker thread, by outcome.', labelNames: ['outcome'], buckets: seconds, registers });
    this.pluginCalls = new Counter({ name: 'driftless_plugin_calls_total', help: 'Runtime plugin hook calls by plugin, hook (fetch, apply) and outcome (ok, error, timeout).', labelNames: ['plugin', 'hook', 'outcome'], registers });
    this.pluginCallDuration = new Histogram({ name: 'driftless_plugin_call_duration_seconds', help: 'Latency of runtime plugin hook calls by plugin and hook.', labelNames: ['plugin', 'hook'], buckets: seconds, registers });
    this.pluginTimeouts = new Counter({ name: 'driftless_plugin_timeouts_total', help: 'Runtime plugin hook calls that hit their timeout, by plugin and hook.', labelNames: ['plugin', 'hook'], registers });
    this.claimBatchSize = new Histogram({ name: 'driftless_engine_claim_batch_size', help: 'Instances claimed per engine batch (non-empty claims only).', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500], registers });
    this.leaseRenewals = new Counter({ name: 'driftless_engine_lease_renewals_total', help: 'Leases of running ticks renewed by this server.', registers });
    this.leasesRecovered = new Counter({ name: 'driftless_engine_leases_recovered_total', help: 'Leases left by a previous life of this server, voided at start so their instances are ticked again (takeovers).', registers });
    this.reactionTime = new Histogram({ name: 'driftless_reaction_seconds', help: 'Time from the latest intent change of an application (config, release, approval, rollback) to the first apply after it.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers });
    this.apiRequests = new Counter({ name: 'driftless_api_requests_total', help: 'GraphQL requests by operation type (query, mutation, subscription, unknown) and result (ok, user_error, error).', labelNames: ['operation_type', 'result'], registers });
    this.apiRequestDuration = new Histogram({ name: 'driftless_api_request_duration_seconds', help: 'GraphQL request duration by operation type.', labelNames: ['operation_type'], buckets: seconds, registers });
    this.wsConnections = new Gauge({ name: 'driftless_websocket_connections', help: 'Open, authenticated GraphQL WebSocket connections.', registers });
    this.wsSubscriptions = new Gauge({ name: 'driftless_websocket_subscriptions', help: 'Active GraphQL subscriptions over WebSocket.', registers });
    this.notificationDeliveries = new Counter({ name: 'driftless_notification_deliveries_total', help: 'Notification delivery attempts by result (delivered, retry, failed).', labelNames: ['result'], registers });
  }

  /** A tick came back from a worker: its outcome and each plugin hook it called. */
  tickFinished(plugin: string, result: TickResult): void {
    const outcome = result.error?.timedOut ? 'timeout' : result.error ? 'error' : result.applied ? 'applied' : result.converged ? 'converged' : 'observed';
    this.ticks.inc({ outcome });
    this.tickDuration.observe({ outcome }, result.durationMs / 1000);
    for (const hook of ['fetch', 'apply'] as const) {
      const ms = result.hookMs?.[hook];
      const failedHere = result.error?.hook === hook;
      if (ms === undefined && !failedHere) continue;
      const callOutcome = failedHere ? (result.error!.timedOut ? 'timeout' : 'error') : 'ok';
      this.pluginCalls.inc({ plugin, hook, outcome: callOutcome });
      if (ms !== undefined) this.pluginCallDuration.observe({ plugin, hook }, ms / 1000);
      if (callOutcome === 'timeout') this.pluginTimeouts.inc({ plugin, hook });
    }
  }

  intentChanged(applicationIds: string[], at: number): void {
    // The latest change counts: one that caused no apply (an approval still waiting, a paused
    // application) must not inflate the reaction to the change that finally did.
    for (const id of applicationIds) this.pendingIntent.set(id, at);
  }

  /** An apply was made for this application: the first one after an intent change measures reaction time. */
  applied(applicationId: string, at: number): void {
    const since = this.pendingIntent.get(applicationId);
    if (since === undefined) return;
    this.pendingIntent.delete(applicationId);
    this.reactionTime.observe(Math.max(0, at - since) / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
