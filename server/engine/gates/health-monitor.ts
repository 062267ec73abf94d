/**
 * HealthMonitor: the I/O side of the health gates, in the main thread. It polls each distinct
 * target (one Alertmanager query per alertmanager+matchers, one GET per url+expectStatus) in its
 * own loop and keeps the latest result, so `snapshot` is a synchronous map lookup that the engine
 * can call for thousands of instances per pass.
 *
 * Must never: let one slow target delay another (each has its own loop and timeout), overlap two
 * probes of one target, throw from a listener into the poll loop, or keep polling a target nobody
 * has asked about for `unwatchAfterMs`.
 */
import { gateKey, isHealthGate, targetKey } from './keys.js';
import { probeAlertmanager, probeHttp, type ProbeOutcome } from './probes.js';
import type { CompiledGate, HealthResult, HealthSnapshot } from './types.js';

export interface HealthMonitorOptions {
  /** Interval of Alertmanager queries (httpChecks use their own `intervalMs`). Default 2000. */
  pollIntervalMs?: number;
  /** Per-request timeout. Default 5000. */
  fetchTimeoutMs?: number;
  /** A target not watched or snapshotted for this long is dropped. Default 5 minutes. */
  unwatchAfterMs?: number;
  now?: () => number;
}

type HealthGate = Extract<CompiledGate, { type: 'alerts' | 'httpCheck' }>;

interface Target {
  key: string;
  intervalMs: number;
  probe: (signal: AbortSignal) => Promise<ProbeOutcome>;
  result?: HealthResult;
  lastUsed: number;
  timer?: NodeJS.Timeout;
  inFlight?: { done: Promise<void>; controller: AbortController };
}

export class HealthMonitor {
  private readonly pollIntervalMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly unwatchAfterMs: number;
  private readonly now: () => number;
  private readonly targets = new Map<string, Target>();
  private readonly listeners = new Set<(targetKey: string) => void>();
  private stopped = false;

  constructor(opts: HealthMonitorOptions = {}) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 2000;
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 5000;
    this.unwatchAfterMs = opts.unwatchAfterMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Starts polling the health targets of `gates` (idempotent; other gate types are ignored). */
  watch(gates: CompiledGate[]): void {
    for (const gate of gates) if (isHealthGate(gate)) this.target(gate);
  }

  /**
   * Latest results per gate key (see `gateKey`); undefined = no answer yet. Also watches the gates,
   * so a caller that only ever snapshots still gets them polled and kept alive.
   */
  snapshot(gates: CompiledGate[]): HealthSnapshot {
    const out: Record<string, HealthResult | undefined> = {};
    for (const gate of gates) {
      if (isHealthGate(gate)) out[gateKey(gate)] = this.target(gate)?.result;
    }
    return out;
  }

  /** `listener` runs when a result flips (or arrives first), with its target key, so the engine re-evaluates at once. */
  onChange(listener: (targetKey: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Target keys being polled, for diagnostics and tests. */
  watching(): string[] {
    return [...this.targets.keys()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const pending: Promise<void>[] = [];
    for (const t of this.targets.values()) {
      clearTimeout(t.timer);
      if (t.inFlight) {
        t.inFlight.controller.abort(new Error('health monitor stopped'));
        pending.push(t.inFlight.done);
      }
    }
    this.targets.clear();
    await Promise.all(pending);
  }

  private target(gate: HealthGate): Target | undefined {
    if (this.stopped) return undefined;
    const key = targetKey(gate);
    const intervalMs = gate.type === 'httpCheck' && gate.intervalMs > 0 ? gate.intervalMs : this.pollIntervalMs;
    let t = this.targets.get(key);
    if (t) {
      t.lastUsed = this.now();
      // Two gates on one target: the more demanding interval wins from the next poll on.
      t.intervalMs = Math.min(t.intervalMs, intervalMs);
      return t;
    }
    const probe =
      gate.type === 'alerts'
        ? (signal: AbortSignal) => probeAlertmanager(gate.alertmanager, gate.matchers, signal)
        : (signal: AbortSignal) => probeHttp(gate.url, gate.expectStatus, signal);
    t = { key, intervalMs, probe, lastUsed: this.now() };
    this.targets.set(key, t);
    this.schedule(t, 0);
    return t;
  }

  private schedule(t: Target, delayMs: number): void {
    t.timer = setTimeout(() => void this.poll(t), delayMs);
    // Health polling alone must not keep the process alive.
    t.timer.unref();
  }

  private async poll(t: Target): Promise<void> {
    if (this.stopped || this.targets.get(t.key) !== t) return;
    if (this.now() - t.lastUsed > this.unwatchAfterMs) {
      this.targets.delete(t.key);
      return;
    }
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error(`timed out after ${this.fetchTimeoutMs}ms`)), this.fetchTimeoutMs);
    const startedAt = this.now();
    const done = t.probe(controller.signal).then((outcome) => {
      clearTimeout(timeout);
      t.inFlight = undefined;
      if (this.stopped || this.targets.get(t.key) !== t) return;
      this.record(t, outcome, startedAt);
      this.schedule(t, t.intervalMs);
    });
    t.inFlight = { done, controller };
    await done;
  }

  private record(t: Target, outcome: ProbeOutcome, startedAt: number): void {
    const prev = t.result;
    const flipped = !prev || prev.ok !== outcome.ok || Boolean(prev.unreachable) !== outcome.unreachable;
    const result: HealthResult = {
      ok: outcome.ok,
      message: outcome.message,
      since: flipped || !prev ? startedAt : prev.since,
      checkedAt: startedAt,
    };
    if (outcome.unreachable) result.unreachable = true;
    const lastFailedAt = outcome.ok ? prev?.lastFailedAt : startedAt;
    if (lastFailedAt !== undefined) result.lastFailedAt = lastFailedAt;
    t.result = result;
    if (flipped) this.notify(t.key);
  }

  private notify(key: string): void {
    for (const listener of this.listeners) {
      try {
        listener(key);
      } catch {
        // A listener's bug must not stop health polling; the engine logs its own errors.
      }
    }
  }
}
