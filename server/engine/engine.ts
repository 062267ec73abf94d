import type { MikroORM } from '@mikro-orm/core';
import type { TargetState } from '@driftless/plugin-sdk';
import type { TickInput, TickResult } from '../../worker/types.js';
import type { TickPool } from '../../worker/pool.js';
import type { RuntimeSecrets } from '../secrets/runtime-secrets.js';
import type { EngineWake, LivePubSub } from '../domain/live.js';
import type { Logger } from '../logger.js';
import type { PluginHost } from '../plugin-host/index.js';
import { transact } from '../store/transact.js';
import type { DatabaseKind } from '../store/orm.js';
import { ConfigCache } from './config-cache.js';
import { DEFAULT_SETTINGS, labelOf, runtimeVersionOf, type Draft, type EngineSettings, type InstanceContext } from './draft.js';
import { finish, type Outcome } from './finish.js';
import { HealthMonitor, isHealthGate } from './gates/index.js';
import { targetKey } from './gates/keys.js';
import { humanizeResult } from './humanize.js';
import { InstanceStore, type EngineEventRow } from './instance-store.js';
import type { RawExecute } from './raw-sql.js';
import { plan } from './plan.js';
import { targetStep } from './steps.js';
import { gatherContexts, gatesOf } from './contexts.js';
import { GroupWriter } from './group-writer.js';
import { RemovalQueue } from './removal.js';
import { registerLocalEngine } from './local-ticks.js';
import { PartitionLeases } from './partition-leases.js';
import { Schedule, type ScheduledInstance, type WakeSelector } from './schedule.js';
import { steadyCheckAfter, steadyTickInput, tickInputBase, type SteadyCheck } from './steady-check.js';
import { RolloutSlots, type SlotScope } from './rollout-slots.js';
import { serverIdentity } from './server-identity.js';
import type { InstanceSnapshot, InstanceUpdate } from './types.js';

/** Events after which other channels of the service may decide otherwise (downstream promotion, upstream soak protection): they look at once. */
const DOWNSTREAM_MOVES = new Set(['ROLLOUT_STARTED', 'RELEASE_SUPERSEDED', 'INSTANCE_CONVERGED', 'VERIFICATION_PASSED', 'RELEASE_FAILED', 'INSTANCE_ROLLED_BACK', 'ROLLBACK_STARTED', 'CRASH_LOOP_DETECTED', 'HEALTH_DEGRADED', 'HEALTH_RECOVERED']);

/** The limits an instance's rollouts count against: its channel's and its runtime's. */
function slotScopes(ctx: InstanceContext): SlotScope[] {
  const scopes: SlotScope[] = [];
  if (ctx.channel.maxParallel) scopes.push({ key: `channel:${ctx.channel.id}`, limit: ctx.channel.maxParallel, label: `${ctx.applicationName}/${ctx.channel.name} (maxParallel ${ctx.channel.maxParallel})` });
  const runtime = ctx.channel.runtime;
  if (runtime.maxConcurrentRollouts) scopes.push({ key: `runtime:${runtime.name}`, limit: runtime.maxConcurrentRollouts, label: `runtime ${runtime.name} (maxConcurrentRollouts ${runtime.maxConcurrentRollouts})` });
  return scopes;
}

/** Still rolling out (or back): it keeps its slot. */
function rollingOut(u: InstanceUpdate): boolean {
  return u.targetReleaseId !== u.convergedReleaseId || u.engineState.mode === 'rollback';
}

export interface EngineOptions {
  orm: MikroORM;
  kind: DatabaseKind;
  /** Reads outside transactions (SQLite: the read-only connection, sqlite-reader.ts); default the ORM's connection. */
  reads?: RawExecute;
  plugins: PluginHost;
  pool: TickPool;
  live: LivePubSub;
  logger: Logger;
  settings?: Partial<EngineSettings>;
  /** Injectable clock (tests move time for windows and soaks). */
  now?: () => number;
  batchSize?: number;
  leaseMs?: number;
  /**
   * Ticks in flight at once (default 4 batches' worth). Each tick's slot frees when its own result
   * is written, not when its batch's slowest call ends.
   */
  maxTicksInFlight?: number;
  timeouts?: { fetchMs: number; applyMs: number };
  healthPollMs?: number;
  /** The server's data directory, handed to plugins as ctx.dataDir. */
  dataDir?: string;
  /** Opens sealed runtime secrets; its known secrets are scrubbed from every plugin result. */
  secrets?: RuntimeSecrets;
  /** Metrics (server/ops): told what the loop does; must be cheap and must never throw. */
  observer?: EngineObserver;
  /** Notifications (server/notify): writes outbox rows for a batch's events in the batch's transaction. */
  outbox?: EngineOutbox;
}

/** An event of a batch with where it happened, for the notification filters. */
export interface OutboxEvent {
  id: number | null;
  at: number;
  type: string;
  application: string;
  channel: string;
  service: string;
  subject: string;
  message: string;
  data?: Record<string, unknown> | null;
}

export interface EngineOutbox {
  /** Inside the batch's transaction: `execute` runs on it. Must not wait for anything but that. */
  enqueue(events: OutboxEvent[], execute: (sql: string, params: unknown[]) => Promise<unknown>, now: number): Promise<void>;
}

/** What the scheduler reports for metrics. Calls are synchronous and cheap; none may throw. */
export interface EngineObserver {
  claimed(count: number): void;
  leasesRenewed(count: number): void;
  leasesRecovered(count: number): void;
  tickFinished(plugin: string, result: TickResult): void;
  applied(applicationId: string, at: number): void;
  intentChanged(applicationIds: string[], at: number): void;
  /** Events written by a batch, after their commit (notifications deliver, decisions are logged). */
  eventsWritten(events: { type: string; message: string; application: string; channel: string; service: string }[]): void;
}

/** Puts a claimed instance back into the schedule: due at `at`, with what its next check may be short on. */
type Settle = (id: string, at: number, steady?: SteadyCheck) => void;

/** A full tick's outcome on its way to the database. */
interface Finished {
  ctx: InstanceContext;
  /** The time finish() decided at: the outcome's times (its next check) count from it. */
  at: number;
  outcome: Outcome;
  input?: TickInput;
  result?: TickResult;
  /** Puts the instance back into the schedule once its outcome is written. */
  settle: Settle;
  /** The config generation the tick was decided with (for its short checks). */
  generation: number;
}

/**
 * Batches reading from the database (rows, contexts) at once. Ticks in flight are bounded by
 * maxTicksInFlight; this keeps a trickle of due instances from becoming many small batches whose
 * reads queue on the database connection in front of a woken instance's (they wait, and join the
 * next batch instead). Woken instances (intent changed, an upstream moved) do not wait for it.
 */
const MAX_BATCHES_READING = 2;

/** The engine's copy of the config is read again at least this often (see the constructor). */
const CONFIG_MAX_AGE_MS = 60_000;

/** Schedule rows read per statement when a replica takes partitions over. */
const ADOPT_PAGE = 20_000;

/**
 * The convergence engine's scheduler. It owns partitions of the instances (PartitionLeases: a
 * lease with a fencing generation per partition, so no instance is ever ticked by two replicas at
 * once), keeps their schedule in memory (Schedule), decides with pure code (plan → tick in a
 * worker thread → finish), and writes back only what changed, with events, in one batched
 * transaction. Mutations on any replica wake it at once; otherwise it sleeps until the next
 * instance is due.
 */
export class Engine {
  readonly owner: string;
  private readonly store: InstanceStore;
  private readonly config: ConfigCache;
  private readonly health: HealthMonitor;
  private readonly settings: EngineSettings;
  private readonly now: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** The loop waits here while the ticks in flight leave too little room for a batch. */
  private roomWaiter: (() => void) | undefined;
  private woken = false;
  /** Batches still reading before their ticks go out (MAX_BATCHES_READING). */
  private reading = 0;
  private inFlight = new Set<Promise<void>>();
  /** Instances whose tick is running now: a removal waits for them, so no apply lands after it. */
  private ticking = new Set<string>();
  /** Instances whose last apply is in no row yet (its outcome was refused or failed to write). */
  private readonly unrecorded = new Set<string>();
  /** Ticks running now per partition: a partition is handed back only when it has none. */
  private readonly tickingByPartition = new Map<number, number>();
  private readonly schedule = new Schedule();
  /** Every full tick's outcome goes through here: one write transaction at a time, grouping what came meanwhile. */
  private readonly writer = new GroupWriter<Finished>((items) => this.writeFinished(items));
  /** Targets the short checks steer to, one object per release, version and digest (many instances share one). */
  private steadyTargets = { generation: -1, byKey: new Map<string, SteadyCheck['target']>() };
  private neighbourMemo: { of?: unknown; byApp: Map<string, { id: string; name: string; dependsOn: string[] }[]>; memo: Map<string, string[]> } = { byApp: new Map(), memo: new Map() };
  private readonly leases: PartitionLeases;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseRound: Promise<void> | undefined;
  private unregister: (() => void) | undefined;
  private stopWakes: (() => void) | undefined;
  private readonly removals: RemovalQueue;
  private readonly slots: RolloutSlots;
  /** Health target key → instances whose releases have a gate on it: a flip wakes exactly them. */
  private readonly healthWatchers = new Map<string, Set<string>>();
  /** Instances whose outcome the database refused: attempts and the last cause (persistFailed). */
  private readonly writeFailures = new Map<string, { attempts: number; cause: string }>();
  /**
   * Cheap running counters (benchmarks, metrics): instances claimed, ticks sent to workers
   * (`short`: of them, steady re-checks with nothing read or planned), batches, rows written.
   */
  readonly stats = { claimed: 0, ticks: 0, short: 0, batches: 0, written: 0, unchanged: 0 };
  /** When the loop last claimed from the database (readiness: the loop is alive and the database answers). */
  lastLoopAt = 0;

  private get leaseMs(): number {
    return this.opts.leaseMs ?? 15_000;
  }

  constructor(private readonly opts: EngineOptions) {
    this.owner = serverIdentity(opts.dataDir);
    this.store = new InstanceStore(opts.orm.em.getConnection() as never, opts.kind, opts.reads);
    this.leases = new PartitionLeases({
      execute: this.store.execute,
      kind: opts.kind,
      owner: this.owner,
      leaseMs: opts.leaseMs ?? 15_000,
      now: () => this.now(),
      logger: opts.logger,
      busy: (partition) => (this.tickingByPartition.get(partition) ?? 0) > 0,
    });
    // Read again when intent changes here or on another replica (invalidate); the age limit is a
    // safety net only: a reload reads every application, channel and service, which at a million
    // instances (100,000 services) is seconds of CPU.
    this.config = new ConfigCache(() => opts.orm.em.fork(), CONFIG_MAX_AGE_MS, opts.secrets ? (c) => opts.secrets!.open(c) : undefined);
    this.now = opts.now ?? Date.now;
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.health = new HealthMonitor({ pollIntervalMs: opts.healthPollMs ?? 2_000, now: this.now });
    this.health.onChange((key) => this.healthChanged(key));
    this.slots = new RolloutSlots(opts.orm, opts.kind, this.owner, 2 * (opts.leaseMs ?? 15_000));
    this.removals = new RemovalQueue({
      orm: opts.orm,
      kind: opts.kind,
      plugins: opts.plugins,
      owner: this.owner,
      logger: opts.logger,
      live: opts.live,
      timeoutMs: opts.timeouts?.applyMs ?? 60_000,
      dataDir: opts.dataDir,
      secrets: opts.secrets,
      now: this.now,
      isTicking: (id) => this.ticking.has(id),
    });
  }

  /** A health result flipped: the instances that gate on it look now (continuous health). */
  private healthChanged(key: string): void {
    const ids = this.healthWatchers.get(key);
    if (ids?.size) this.wakeWhere({ ids: [...ids] });
  }

  async start(): Promise<void> {
    // SQLite has one server: every removal lease is from its previous life. Elsewhere, only our own are.
    await this.store.releaseLeases(this.opts.kind === 'sqlite' ? null : this.owner, this.now());
    this.unregister = registerLocalEngine(this.owner, { has: (id) => this.ticking.has(id) || this.unrecorded.has(id) });
    this.listenForWakes();
    const changes = await this.leases.start();
    await this.adopt(changes.gained);
    this.running = true;
    this.loop = this.run();
    // Renewals, takeovers and hand-backs; often enough that a dead replica's partitions are taken
    // over within one lease and a second.
    this.leaseTimer = setInterval(() => {
      this.leaseRound ??= this.balance().finally(() => (this.leaseRound = undefined));
    }, this.leases.roundEveryMs);
    this.leaseTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.leaseTimer);
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await this.leaseRound;
    // Removals asked for just before a graceful stop are finished now rather than at the next
    // start (they are durable either way); bounded, so a stuck plugin cannot hold the shutdown.
    await this.removals.drain(this.opts.timeouts?.applyMs ?? 60_000);
    this.stopWakes?.();
    // Handed back, so another replica takes them at once rather than after the lease.
    await this.leases.stop().catch((err: unknown) => this.opts.logger.warn({ err }, 'could not hand the partitions back; other replicas take them when the lease runs out'));
    this.unregister?.();
    await this.health.stop();
  }

  /** Partitions this replica owns now (tests, metrics). */
  ownedPartitions(): number[] {
    return [...this.leases.owned.keys()].sort((a, b) => a - b);
  }

  /** Instances in this replica's schedule. */
  get scheduled(): number {
    return this.schedule.size;
  }

  private async balance(): Promise<void> {
    try {
      const changes = await this.leases.round(() => this.schedule.oldestCheckByPartition());
      if (changes.lost.length) this.schedule.dropPartitions(changes.lost);
      if (changes.gained.length) {
        this.opts.observer?.leasesRecovered(changes.gained.length);
        await this.adopt(changes.gained);
      }
      this.opts.observer?.leasesRenewed(this.leases.owned.size);
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not renew or balance the partition leases');
    }
  }

  /** Partitions just taken: their instances join the schedule, due when the database says (or now). */
  private async adopt(partitions: number[]): Promise<void> {
    if (partitions.length === 0) return;
    const now = this.now();
    let after = '';
    for (;;) {
      const rows = await this.store.scheduleRows(partitions, after, ADOPT_PAGE);
      this.schedule.upsert(rows, (r) => r.nextCheckAt ?? now);
      if (rows.length < ADOPT_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    this.wake();
  }

  /**
   * Reads the schedule of every owned partition from the database again (a tool wrote
   * next_check_at behind the engine's back: benchmarks, repairs); earlier times win.
   */
  async resync(): Promise<void> {
    await this.adopt([...this.leases.owned.keys()]);
  }

  /** Intent changed on this replica or another: what it owns of these applications looks now. */
  private async refresh(applicationIds: string[]): Promise<void> {
    const owned = [...this.leases.owned.keys()];
    const rows = await this.store.scheduleRowsOf(applicationIds, owned);
    const now = this.now();
    const present = new Set(rows.map((r) => r.id));
    for (const id of this.schedule.idsOf(new Set(applicationIds))) if (!present.has(id)) this.schedule.remove(id);
    this.schedule.upsert(rows, () => now);
    this.schedule.wake({ applicationIds }, now, true);
    this.wake();
  }

  /** Wakes what this replica owns of `where` and tells the other replicas to wake theirs. */
  private wakeWhere(where: WakeSelector, except?: ReadonlySet<string>): void {
    // Instances of the batch that asked are still out for their tick: they look again right after
    // it, except those that only moved themselves (`except`).
    this.schedule.wake(where, this.now(), true, except);
    this.wake();
    if (this.opts.kind === 'postgresql') this.opts.live.publish('ENGINE_WAKE', { origin: this.owner, where });
  }

  private listenForWakes(): void {
    const iterator = this.opts.live.subscribe('ENGINE_WAKE')[Symbol.asyncIterator]();
    this.stopWakes = () => void iterator.return?.();
    void (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const w = next.value as EngineWake;
        if (w.origin === this.owner) continue;
        if (w.intent) this.config.invalidate();
        if (w.intent?.length) {
          await this.refresh(w.intent).catch((err: unknown) => this.opts.logger.warn({ err }, 'could not look at an intent change of another replica'));
        }
        if (w.where) {
          // Another replica's instances moved: what waits here looks now (a tick already running
          // here decided without it and is not repeated, as a claimed row was not woken before).
          this.schedule.wake(w.where, this.now());
          this.wake();
        }
      }
    })();
  }

  /**
   * New releases of these services (their instances' desired state was written, due first): the
   * owners of those instances, on whichever replica, look at them now.
   */
  servicesChanged(serviceIds: string[]): void {
    if (serviceIds.length) this.wakeWhere({ serviceIds });
    else this.wake();
  }

  /** Intent changed (config, release, approval, pause): look at these applications now. */
  async intentChanged(applicationIds: string[]): Promise<void> {
    this.config.invalidate();
    this.opts.observer?.intentChanged(applicationIds, this.now());
    if (this.opts.kind === 'postgresql') this.opts.live.publish('ENGINE_WAKE', { origin: this.owner, intent: applicationIds });
    if (applicationIds.length) {
      // In the database too: a replica that takes these instances over looks at them first.
      await this.store.wake({ applicationIds }, this.now());
      await this.refresh(applicationIds);
    }
    this.wake();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
    this.roomFreed();
  }

  /** Ticks went back into the schedule: the loop may claim again. */
  private roomFreed(): void {
    const waiter = this.roomWaiter;
    this.roomWaiter = undefined;
    waiter?.();
  }

  private async run(): Promise<void> {
    const batchSize = this.opts.batchSize ?? 500;
    const maxTicks = Math.max(1, this.opts.maxTicksInFlight ?? 4 * batchSize);
    // A handful of freed slots is not worth a batch of its own (its reads cost nearly what a full
    // batch's do): the loop claims again once a quarter of a batch is free.
    const minClaim = Math.max(1, Math.floor(Math.min(batchSize, maxTicks) / 4));
    while (this.running) {
      try {
        const room = maxTicks - this.ticking.size;
        const now = this.now();
        // Woken instances go out on their own at once, as long as ticks are free; the rest waits
        // for room for a sizeable batch and for a batch's reads to finish.
        const woken = room > 0 ? this.schedule.wokenBefore(now) : null;
        if (woken === null && ((room < minClaim && this.ticking.size > 0) || this.reading >= MAX_BATCHES_READING)) {
          await new Promise<void>((resolve) => (this.roomWaiter = resolve));
          continue;
        }
        this.woken = false;
        const removing = this.removals.maybeRun();
        if (removing) this.track(removing);
        const due = this.schedule.takeDue(woken ?? now, Math.min(batchSize, room), (p) => this.leases.tickable(p, now));
        this.lastLoopAt = Date.now();
        if (due.length === 0) {
          await this.sleep(now);
          continue;
        }
        this.stats.claimed += due.length;
        this.stats.batches += 1;
        this.opts.observer?.claimed(due.length);
        this.reading++;
        this.track(this.processBatch(due));
      } catch (err) {
        this.opts.logger.error({ err }, 'engine loop error');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async sleep(now: number): Promise<void> {
    if (this.woken || !this.running) return;
    const next = this.schedule.nextDueAt();
    // Wake for the next due instance, a finished batch, or a mutation; at most 1 s in any case.
    const wait = Math.max(5, Math.min(1_000, next === null ? 1_000 : next - now));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.inFlight.size) void Promise.race(this.inFlight).then(() => this.wakeUp?.());
    });
    this.wakeUp = undefined;
  }

  /** Removal intents were written (a channel, service or application went): work them off now. */
  removalsChanged(): void {
    this.removals.poke();
    this.wake();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * One batch of due instances. Steady ones (converged, nothing changed since their last full
   * tick: steady-check.ts) get the short check; the others are read, decided, ticked and written.
   * Every instance goes back into the schedule at the end, when its outcome says (or soon, if the
   * batch failed), with what its next check may be short on.
   */
  private async processBatch(due: ScheduledInstance[]): Promise<void> {
    /** Claimed and not back in the schedule yet: each goes back as soon as its outcome is written. */
    const out = new Map(due.map((e) => [e.id, e]));
    for (const e of due) {
      this.ticking.add(e.id);
      this.tickingByPartition.set(e.partition, (this.tickingByPartition.get(e.partition) ?? 0) + 1);
    }
    let reading = true;
    /** Its reads are done (its ticks go out now): the loop may start the next batch. */
    const readDone = () => {
      if (!reading) return;
      reading = false;
      this.reading--;
      this.roomFreed();
    };
    const settle: Settle = (id, at, steady) => {
      const e = out.get(id);
      if (!e) return;
      out.delete(id);
      this.ticking.delete(id);
      const left = (this.tickingByPartition.get(e.partition) ?? 1) - 1;
      if (left > 0) this.tickingByPartition.set(e.partition, left);
      else this.tickingByPartition.delete(e.partition);
      this.schedule.finished(id, at, this.now(), steady);
    };
    try {
      const config = await this.config.fresh(this.now());
      const common = { timeouts: this.timeouts, dataDir: this.opts.dataDir };
      const short: TickInput[] = [];
      const full: ScheduledInstance[] = [];
      for (const e of due) {
        const input = steadyTickInput(e, config, common);
        if (input) short.push(input);
        else full.push(e);
      }
      if (full.length === 0) readDone();
      const parts = await Promise.allSettled([this.checkSteady(short, due, settle), this.processFull(full, settle, readDone)]);
      for (const part of parts) if (part.status === 'rejected') throw part.reason;
    } catch (err) {
      this.opts.logger.error({ err, instances: out.size }, 'engine batch failed; its instances are retried shortly');
    } finally {
      const retryAt = this.now() + 1_000;
      for (const id of [...out.keys()]) settle(id, retryAt);
      readDone();
      this.roomFreed();
    }
  }

  private get timeouts(): TickInput['timeouts'] {
    return this.opts.timeouts ?? { fetchMs: 10_000, applyMs: 60_000 };
  }

  /**
   * Short checks: the pool looks and answers "as expected" (checked again after the steady
   * interval, still short) or not (drift, an error: a full tick at once, which decides, applies
   * and writes). Nothing is read or written here.
   */
  private async checkSteady(inputs: TickInput[], due: ScheduledInstance[], settle: Settle): Promise<void> {
    if (inputs.length === 0) return;
    const byId = new Map(due.map((e) => [e.id, e]));
    const plugins = new Map(inputs.map((t) => [t.instanceId, t.plugin]));
    this.stats.ticks += inputs.length;
    this.stats.short += inputs.length;
    const results = await this.opts.pool.run(inputs, this.opts.plugins.modulePaths());
    const finishedAt = this.now();
    for (const raw of results) {
      const id = raw.instanceId;
      this.opts.observer?.tickFinished(plugins.get(id) ?? '?', raw);
      if (raw.logs?.length) this.opts.logger.debug({ instanceId: id, logs: this.opts.secrets ? this.opts.secrets.known.scrubDeep(raw.logs) : raw.logs }, 'plugin log');
      const steady = byId.get(id)?.steady;
      if (raw.asExpected && steady) {
        settle(id, finishedAt + this.settings.steadyIntervalMs, steady);
        this.stats.unchanged++;
      } else settle(id, finishedAt);
    }
  }

  /** Full ticks: read from the database, then decided, ticked and written (processClaimed). */
  private async processFull(due: ScheduledInstance[], settle: Settle, readDone: () => void): Promise<void> {
    if (due.length === 0) return;
    const rows = await this.store.load(due.map((e) => e.id));
    const found = new Set(rows.map((r) => r.id));
    // Gone from the database (deleted meanwhile): gone from the schedule.
    for (const e of due) {
      if (found.has(e.id)) continue;
      this.schedule.remove(e.id);
      this.unrecorded.delete(e.id);
    }
    if (rows.length) await this.processClaimed(rows, settle, readDone);
  }

  /**
   * Decides, ticks and writes. Results stream back from the pool tick by tick and are written as
   * they come (GroupWriter), so an instance whose plugin call hangs holds up only itself.
   */
  private async processClaimed(rows: InstanceSnapshot[], settle: Settle, readDone: () => void): Promise<void> {
    const ids = rows.map((r) => r.id);
    // Again, after the rows were read: intent that changed meanwhile is decided with, and the
    // generation taken here (before the contexts) makes any later change void these short checks.
    const config = await this.config.fresh(this.now());
    const generation = config.generation;
    const contexts = await gatherContexts({ rows, config, store: this.store, em: () => this.opts.orm.em.fork(), health: this.health, settings: this.settings, now: this.now() });
    const now = this.now();
    const drafts = contexts.map((ctx) => ({ ctx, draft: plan(ctx) }));
    await this.limitRollouts(drafts, now);
    for (const ctx of contexts) this.watchHealth(ctx.instance.id, gatesOf(ctx.instance));
    // Orphans (their channel or service was deleted meanwhile) look again after the steady interval.
    const known = new Set(contexts.map((c) => c.instance.id));
    for (const id of ids) if (!known.has(id)) settle(id, now + this.settings.steadyIntervalMs);

    const writes: Promise<void>[] = [];
    const ticks: TickInput[] = [];
    const pending = new Map<string, { ctx: InstanceContext; draft: Draft; input: TickInput }>();
    for (const { ctx, draft } of drafts) {
      if (!draft.tick || !draft.targetReleaseId || !draft.targetState) {
        writes.push(this.writer.add({ ctx, at: now, outcome: finish({ ...ctx, now }, draft, undefined), settle, generation }));
        continue;
      }
      const input = this.tickInput(ctx, draft, draft.tick.mode);
      ticks.push(input);
      pending.set(ctx.instance.id, { ctx, draft, input });
    }
    this.stats.ticks += ticks.length;
    let failed: unknown;
    const onResult = (raw: TickResult): void => {
      const tick = pending.get(raw.instanceId);
      if (!tick) return;
      pending.delete(raw.instanceId);
      try {
        const { ctx, draft, input } = tick;
        // Every secret this server knows, in the encodings scrub.ts covers, out of reasons, events and logs.
        const r = this.opts.secrets ? this.opts.secrets.known.scrubDeep(raw) : raw;
        const result = humanizeResult(r, (id) => input.labels?.[id] ?? ctx.labels.get(id));
        if (this.opts.observer) this.observe(r, ctx);
        if (r.logs?.length) this.opts.logger.debug({ instanceId: r.instanceId, logs: r.logs }, 'plugin log');
        const at = this.now();
        writes.push(this.writer.add({ ctx, at, input, result, outcome: finish({ ...ctx, now: at }, draft, result), settle, generation }));
      } catch (err) {
        // This instance goes back into the schedule with the batch's leftovers, retried shortly;
        // what its apply started is in no row until then.
        if (raw.applied) this.unrecorded.add(raw.instanceId);
        failed ??= err;
      }
    };
    readDone();
    if (ticks.length) await this.opts.pool.run(ticks, this.opts.plugins.modulePaths(), onResult);
    for (const written of await Promise.allSettled(writes)) if (written.status === 'rejected') failed ??= written.reason;
    if (failed !== undefined) throw failed;
  }

  /** One transaction of finished ticks; each instance goes back into the schedule right after it. */
  private async writeFinished(items: Finished[]): Promise<void> {
    const finishedAt = this.now();
    const dueAt = new Map<string, number>();
    const unchanged = new Set<string>();
    const written = new Set<string>();
    await this.persistIsolated(
      items.map((i) => i.ctx),
      items.map((i) => i.outcome),
      finishedAt,
      dueAt,
      unchanged,
      written,
    );
    for (const { ctx, at, outcome, input, result, settle, generation } of items) {
      const id = ctx.instance.id;
      // An apply whose outcome the database refused (the API changed the row meanwhile) or could
      // not take left something running that no row records: until a later outcome is written, a
      // deletion must count it as possibly running (removal-intents.ts asks tickingHere).
      if (written.has(id) || unchanged.has(id)) this.unrecorded.delete(id);
      else if (result?.applied) this.unrecorded.add(id);
      // Converged with nothing to write: the next checks are short ones, until something changes.
      const steady = unchanged.has(id) ? steadyCheckAfter(ctx, input, outcome, result, at, this.settings, generation) : undefined;
      settle(id, dueAt.get(id) ?? finishedAt + 1_000, steady && { ...steady, target: this.sharedTarget(steady.target, generation) });
    }
    this.roomFreed();
    // Some may be due at once (woken meanwhile, or failed): the loop may be asleep.
    this.wakeUp?.();
  }

  /** One object per distinct target of a config generation, shared by the short checks of every instance on it. */
  private sharedTarget(target: SteadyCheck['target'], generation: number): SteadyCheck['target'] {
    if (this.steadyTargets.generation !== generation) this.steadyTargets = { generation, byKey: new Map() };
    const key = `${target.releaseId}\0${target.version}\0${target.digest}`;
    const known = this.steadyTargets.byKey.get(key);
    if (known) return known;
    this.steadyTargets.byKey.set(key, target);
    return target;
  }

  private observe(r: TickResult, ctx: InstanceContext | undefined): void {
    const observer = this.opts.observer;
    if (!observer || !ctx) return;
    observer.tickFinished(ctx.channel.runtime.plugin, r);
    if (r.applied) observer.applied(ctx.instance.applicationId, this.now());
  }

  /**
   * Concurrency limits (channel maxParallel, runtime maxConcurrentRollouts): rollouts this batch
   * would start take a slot first; those that find none are planned again, waiting with the reason.
   */
  private async limitRollouts(drafts: { ctx: InstanceContext; draft: Draft }[], now: number): Promise<void> {
    const starting = drafts.filter(({ ctx, draft }) => draft.startsRollout && slotScopes(ctx).length);
    if (starting.length === 0) return;
    const refusals = await this.slots.acquire(starting.map(({ ctx }) => ({ instanceId: ctx.instance.id, scopes: slotScopes(ctx) })), now);
    for (const refusal of refusals) {
      const entry = drafts.find((d) => d.ctx.instance.id === refusal.instanceId)!;
      const what = labelOf(entry.ctx, entry.ctx.instance.engineState.candidate?.releaseId ?? entry.ctx.instance.desiredReleaseId);
      const noSlot = { code: 'CONCURRENCY_LIMIT' as const, message: `${what} waits for a rollout slot: ${refusal.holders} of ${refusal.scope.limit} rollouts at once already run in ${refusal.scope.label}` };
      entry.draft = plan(entry.ctx, { noSlot });
    }
  }

  /** Channels of the same application that depend on this one, or that it depends on. */
  private neighbours(channelId: string): string[] {
    const channels = this.config.channels;
    // Worked out once per config copy: a reload replaces the map.
    if (this.neighbourMemo.of !== channels) {
      const byApp = new Map<string, { id: string; name: string; dependsOn: string[] }[]>();
      for (const c of channels.values()) byApp.set(c.applicationId, [...(byApp.get(c.applicationId) ?? []), c]);
      this.neighbourMemo = { of: channels, byApp, memo: new Map() };
    }
    const known = this.neighbourMemo.memo.get(channelId);
    if (known) return known;
    const channel = channels.get(channelId);
    const out: string[] = [];
    for (const other of (channel && this.neighbourMemo.byApp.get(channel.applicationId)) ?? []) {
      if (other.id !== channelId && (other.dependsOn.includes(channel!.name) || channel!.dependsOn.includes(other.name))) out.push(other.id);
    }
    this.neighbourMemo.memo.set(channelId, out);
    return out;
  }

  /** A rollout slot was freed: what waits in those channels (or on those runtimes) looks now. */
  private wakeScopes(scopes: string[]): void {
    const channelIds = new Set<string>();
    for (const scope of scopes) {
      const [kind, name] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1)];
      for (const c of this.config.channels.values()) if ((kind === 'channel' && c.id === name) || (kind === 'runtime' && c.runtime.name === name)) channelIds.add(c.id);
    }
    if (channelIds.size) this.wakeWhere({ channelIds: [...channelIds] });
  }

  /** Keeps the health-target → instances map current (a tick's gates may change with its release). */
  private watchHealth(instanceId: string, gates: ReturnType<typeof gatesOf>): void {
    for (const gate of gates) {
      if (!isHealthGate(gate)) continue;
      const key = targetKey(gate);
      let ids = this.healthWatchers.get(key);
      if (!ids) this.healthWatchers.set(key, (ids = new Set()));
      ids.add(instanceId);
    }
  }

  private tickInput(ctx: InstanceContext, draft: Draft, mode: 'converge' | 'observe'): TickInput {
    const releaseId = draft.targetReleaseId!;
    const state = draft.targetState!;
    const version = runtimeVersionOf(draft) ?? releaseId;
    const target: TargetState = { releaseId, version, params: state.params, spec: state.spec, env: state.env, digest: state.digest };
    // Only plugins that can run part of the replicas are sent a step (applyConfig refuses the others).
    const step = this.opts.plugins.get(ctx.channel.runtime.plugin)?.plugin.capabilities?.rolloutSteps ? targetStep(draft) : undefined;
    if (step) target.step = step;
    // Versions the plugin may report: the target's (under its label) and the releases that ran here.
    const labels: Record<string, string> = {};
    for (const h of draft.es.history ?? []) {
      const label = ctx.labels.get(h.releaseId);
      if (label) labels[h.version ?? h.releaseId] ??= label;
    }
    for (const id of [ctx.instance.convergedReleaseId, ctx.instance.targetReleaseId]) if (id && ctx.labels.has(id)) labels[id] ??= ctx.labels.get(id)!;
    labels[version] = ctx.labels.get(releaseId) ?? labels[version] ?? version;
    return { ...tickInputBase(ctx.instance.id, ctx.applicationName, ctx.channel, ctx.service.name, { timeouts: this.timeouts, dataDir: this.opts.dataDir }), target, mode, labels };
  }

  /**
   * persist, but a batch whose write fails is written again row by row, so one row the database
   * refuses cannot hold back the rest of its batch (issue 10 point 19). A row that still fails is
   * reported (an error log naming the instance, once per distinct cause) and checked again with
   * exponential backoff rather than every second.
   */
  private async persistIsolated(contexts: InstanceContext[], outcomes: Outcome[], now: number, dueAt: Map<string, number>, unchanged: Set<string>, written?: Set<string>): Promise<void> {
    try {
      await this.persist(contexts, outcomes, now, dueAt, unchanged, written);
      for (const c of contexts) this.writeFailures.delete(c.instance.id);
      return;
    } catch (err) {
      if (outcomes.length === 1) return this.persistFailed(contexts[0]!, err, now, dueAt);
    }
    for (const [n, outcome] of outcomes.entries()) {
      const ctx = contexts.find((c) => c.instance.id === outcome.update.id) ?? contexts[n]!;
      try {
        await this.persist([ctx], [outcome], now, dueAt, unchanged, written);
        this.writeFailures.delete(ctx.instance.id);
      } catch (err) {
        this.persistFailed(ctx, err, now, dueAt);
      }
    }
  }

  private persistFailed(ctx: InstanceContext, err: unknown, now: number, dueAt: Map<string, number>): void {
    const id = ctx.instance.id;
    const prev = this.writeFailures.get(id);
    const attempts = (prev?.attempts ?? 0) + 1;
    const cause = err instanceof Error ? err.message : String(err);
    this.writeFailures.set(id, { attempts, cause });
    const delay = Math.min(this.settings.maxBackoffMs, 1000 * 2 ** Math.min(10, attempts - 1));
    if (prev?.cause !== cause) {
      this.opts.logger.error({ err, instanceId: id, instance: `${ctx.applicationName}/${ctx.channel.name}/${ctx.service.name}`, attempts }, `could not record the outcome of a tick of ${ctx.applicationName}/${ctx.channel.name}/${ctx.service.name}; it is checked again in ${delay} ms (the rest of its batch was written)`);
    }
    dueAt.set(id, now + delay);
  }

  /** Outcomes and their events in one transaction; subscribers hear of them after the commit. */
  private async persist(contexts: InstanceContext[], outcomes: Outcome[], now: number, dueAt: Map<string, number>, unchanged: Set<string>, writtenOut?: Set<string>): Promise<void> {
    const events: EngineEventRow[] = [];
    const ctxById = new Map(contexts.map((c) => [c.instance.id, c]));
    const where: { application: string; channel: string; service: string }[] = [];
    let written = new Set<string>();
    let result: Awaited<ReturnType<InstanceStore['write']>> | undefined;
    let eventIds: number[] = [];
    let freed: string[] = [];
    await transact(this.opts.orm.em.fork(), async (em) => {
      const trx = em.getTransactionContext();
      const generationOf = (id: string) => {
        const partition = ctxById.get(id)?.instance.partition;
        return partition === undefined ? undefined : this.leases.generationOf(partition);
      };
      result = await this.store.write(this.owner, outcomes.map((o) => o.update), now, generationOf, trx, new Map(contexts.map((c) => [c.instance.id, c.instance])));
      written = result.written;
      for (const o of outcomes) {
        if (!written.has(o.update.id)) continue;
        const ctx = ctxById.get(o.update.id)!;
        for (const e of o.events) {
          events.push({ at: now, type: e.type, applicationId: ctx.instance.applicationId, subject: `ServiceInstance ${ctx.applicationName}/${ctx.channel.name}/${ctx.service.name}`, subjectId: ctx.instance.id, message: e.message, data: e.data });
          where.push({ application: ctx.applicationName, channel: ctx.channel.name, service: ctx.service.name });
        }
      }
      eventIds = await this.store.insertEvents(events, trx);
      if (this.opts.outbox && events.length) {
        const withIds = events.map((e, n) => ({ ...where[n]!, id: eventIds[n] ?? null, at: e.at, type: e.type, subject: e.subject, message: e.message, data: e.data ?? null }));
        await this.opts.outbox.enqueue(withIds, (sql, params) => em.getConnection().execute(sql, params, 'all', trx), now);
      }
      // Rollouts that ended give their slots back, in the transaction that records the end.
      const ended = outcomes.filter((o) => written.has(o.update.id) && !rollingOut(o.update) && slotScopes(ctxById.get(o.update.id)!).length).map((o) => o.update.id);
      freed = await this.slots.release(ended, (sql, params) => em.getConnection().execute(sql, params, 'all', trx));
    });
    // Only after the commit: a rolled-back transaction leaves the schedule to the caller's retry.
    for (const o of outcomes) {
      const id = o.update.id;
      if (result!.refused.has(id)) dueAt.set(id, now);
      else dueAt.set(id, o.update.nextCheckAt ?? now + this.settings.steadyIntervalMs);
    }
    this.stats.written += result!.written.size;
    this.stats.unchanged += result!.unchanged.size;
    for (const id of result!.unchanged) unchanged.add(id);
    if (writtenOut) for (const id of result!.written) writtenOut.add(id);
    if (freed.length) this.wakeScopes(freed);

    const wakeServices = new Set<string>();
    const wakeChannels = new Set<string>();
    /** Per service, the instances whose own events moved it: an instance need not look again because of itself. */
    const movers = new Map<string, string[]>();
    for (const o of outcomes) {
      if (!written.has(o.update.id) || o.events.length === 0) continue;
      const ctx = ctxById.get(o.update.id)!;
      const i = ctx.instance;
      this.opts.live.publish('INSTANCE_CHANGED', { applicationId: i.applicationId, instanceId: i.id, releaseIds: [...new Set([i.desiredReleaseId, o.update.targetReleaseId].filter((x): x is string => !!x))] });
      // Downstream channels may be waiting on this one: let them look now rather than at their next poll.
      if (o.events.some((e) => DOWNSTREAM_MOVES.has(e.type))) {
        // The service in the channels next to this one (downstream takes it, upstream keeps it for
        // soak protection); channels with no dependsOn between them do not wait on each other.
        for (const c of this.neighbours(ctx.channel.id)) wakeServices.add(`${i.serviceId}:${c}`);
        movers.set(i.serviceId, [...(movers.get(i.serviceId) ?? []), i.id]);
      }
      // The other members of a multi-service release in this channel may move now too.
      if ([o.update.targetReleaseId, o.update.engineState.candidate?.releaseId].some((id) => id && ctx.releases.get(id)?.groupId)) wakeChannels.add(i.channelId);
    }
    if (events.length) this.opts.observer?.eventsWritten(events.map((e, n) => ({ type: e.type, message: e.message, ...where[n]! })));
    for (const [n, e] of events.entries()) {
      this.opts.live.publish('EVENT', { id: eventIds[n] ?? null, at: e.at, applicationId: e.applicationId, type: e.type, actor: 'engine', subject: e.subject, subjectId: e.subjectId, message: e.message, data: e.data ?? null });
    }
    if (wakeServices.size || wakeChannels.size) {
      const self = new Set([...movers.values()].filter((ids) => ids.length === 1).flat());
      for (const c of wakeChannels) for (const ids of movers.values()) if (ids.some((id) => ctxById.get(id)?.instance.channelId === c)) for (const id of ids) self.delete(id);
      this.wakeWhere({ serviceChannels: [...wakeServices], channelIds: [...wakeChannels] }, self);
    }
  }
}
