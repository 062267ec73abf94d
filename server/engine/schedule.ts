import type { SteadyCheck } from './steady-check.js';

/** What the scheduler keeps of an instance it owns: enough to find it, wake it and know when it is due. */
export interface ScheduledInstance {
  id: string;
  partition: number;
  applicationId: string;
  serviceId: string;
  channelId: string;
  dueAt: number;
  /** When its last tick ended (0: not since this replica took it). */
  checkedAt: number;
  /** Taken for a tick and not back yet. */
  ticking: boolean;
  /** Woken while its tick ran: due again as soon as the tick is back. */
  wokenWhileTicking: boolean;
  /** Woken by anything while its tick ran: what that tick saw is not taken as steady. */
  wokenAtAll: boolean;
  /** Converged and nothing changed since: its next check is the short one (steady-check.ts). */
  steady?: SteadyCheck;
}

export interface WakeSelector {
  applicationIds?: string[];
  serviceIds?: string[];
  channelIds?: string[];
  ids?: string[];
  /** `serviceId:channelId`: one service in one channel. */
  serviceChannels?: string[];
}

/** A row as the scheduler loads it. */
export interface ScheduleRow {
  id: string;
  partition: number;
  applicationId: string;
  serviceId: string;
  channelId: string;
  nextCheckAt: number | null;
}

/**
 * A woken instance is due "an hour ago": ahead of every instance that is merely due (a fleet
 * behind on its steady re-checks must not delay a new release), in the order they were woken.
 */
const WOKEN_LEAD_MS = 3_600_000;

interface HeapNode {
  at: number;
  entry: ScheduledInstance;
}

/**
 * The owner's schedule of its instances, in memory (issue 17): the database holds intent and
 * outcomes, not "checked again at"; a steady re-check that changes nothing writes nothing. A binary
 * min-heap by due time with lazy deletion: rescheduling pushes a new node, and a node whose time is
 * not its entry's any more is dropped when it comes up. Ids of applications, services and channels
 * are interned, so a million entries share a few thousand strings.
 */
export class Schedule {
  private readonly entries = new Map<string, ScheduledInstance>();
  /** Entries by application and by service: wakes and refreshes touch a few, not a million. */
  private readonly byApplication = new Map<string, Set<ScheduledInstance>>();
  private readonly byService = new Map<string, Set<ScheduledInstance>>();
  private heap: HeapNode[] = [];
  private readonly interned = new Map<string, string>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds or refreshes instances; an instance already known keeps its place unless `dueAt` is earlier. */
  upsert(rows: ScheduleRow[], dueAt: (row: ScheduleRow) => number): void {
    for (const row of rows) {
      const at = dueAt(row);
      const known = this.entries.get(row.id);
      if (known) {
        this.moveEarlier(known, at);
        continue;
      }
      const entry: ScheduledInstance = {
        id: row.id,
        partition: row.partition,
        applicationId: this.intern(row.applicationId),
        serviceId: this.intern(row.serviceId),
        channelId: this.intern(row.channelId),
        dueAt: at,
        checkedAt: 0,
        ticking: false,
        wokenWhileTicking: false,
        wokenAtAll: false,
      };
      this.entries.set(row.id, entry);
      addTo(this.byApplication, entry.applicationId, entry);
      addTo(this.byService, entry.serviceId, entry);
      this.push(entry);
    }
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.dueAt = Number.NaN;
    this.entries.delete(id);
    removeFrom(this.byApplication, entry.applicationId, entry);
    removeFrom(this.byService, entry.serviceId, entry);
  }

  /** Forgets every instance of these partitions (handed back or lost). */
  dropPartitions(partitions: Iterable<number>): void {
    const set = new Set(partitions);
    for (const [id, entry] of this.entries) if (set.has(entry.partition)) this.remove(id);
    if (this.heap.length > 2 * this.entries.size + 1024) this.rebuild();
  }

  /** Ids of the instances in these applications and partitions (what a refresh compares with). */
  idsOf(applicationIds: Set<string>): string[] {
    const ids: string[] = [];
    for (const app of applicationIds) for (const entry of this.byApplication.get(app) ?? []) ids.push(entry.id);
    return ids;
  }

  /**
   * Takes up to `limit` due instances for a tick, earliest first. Instances of partitions that may
   * not tick now (`tickable`) are put back a little later.
   */
  takeDue(now: number, limit: number, tickable: (partition: number) => boolean): ScheduledInstance[] {
    const taken: ScheduledInstance[] = [];
    const deferred: ScheduledInstance[] = [];
    while (taken.length < limit && this.heap.length && this.heap[0]!.at <= now) {
      const { at, entry } = this.pop()!;
      if (entry.dueAt !== at || entry.ticking || !this.entries.has(entry.id)) continue;
      if (!tickable(entry.partition)) {
        deferred.push(entry);
        continue;
      }
      entry.ticking = true;
      entry.wokenWhileTicking = false;
      entry.wokenAtAll = false;
      taken.push(entry);
    }
    for (const entry of deferred) this.setDue(entry, now + 250);
    return taken;
  }

  /**
   * A tick is back: the instance is due at `at` (or at once, if something woke it meanwhile). It
   * keeps `steady` for its next check unless something woke it while the tick ran.
   */
  finished(id: string, at: number, now: number, steady?: SteadyCheck): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.ticking = false;
    entry.checkedAt = now;
    entry.steady = entry.wokenAtAll ? undefined : steady;
    this.setDue(entry, entry.wokenWhileTicking ? now - WOKEN_LEAD_MS : at);
    entry.wokenWhileTicking = false;
    entry.wokenAtAll = false;
  }

  /**
   * Makes the selected instances due now; returns how many it found. An instance whose tick runs
   * is due again right after it with `whileTicking` (its intent changed: a tick that found nothing
   * to write is not checked against the row's version; or the batch it is in moved its upstream).
   */
  wake(where: WakeSelector, now: number, whileTicking = false, except?: ReadonlySet<string>): number {
    const channels = where.channelIds?.length ? new Set(where.channelIds) : undefined;
    const seen = new Set<ScheduledInstance>();
    const touch = (entry: ScheduledInstance) => {
      if (seen.has(entry)) return;
      seen.add(entry);
      // Woken means something may have changed for it: its next check is a full one.
      entry.steady = undefined;
      if (!entry.ticking) return this.moveEarlier(entry, now - WOKEN_LEAD_MS);
      entry.wokenAtAll = true;
      if (whileTicking && !except?.has(entry.id)) entry.wokenWhileTicking = true;
    };
    for (const id of where.ids ?? []) {
      const entry = this.entries.get(id);
      if (entry) touch(entry);
    }
    for (const app of where.applicationIds ?? []) for (const entry of this.byApplication.get(app) ?? []) touch(entry);
    for (const service of where.serviceIds ?? []) for (const entry of this.byService.get(service) ?? []) touch(entry);
    for (const pair of where.serviceChannels ?? []) {
      const [service, channel] = [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)];
      for (const entry of this.byService.get(service) ?? []) if (entry.channelId === channel) touch(entry);
    }
    // By channel is rare (a freed rollout slot, a multi-service release): a scan.
    if (channels) for (const entry of this.entries.values()) if (channels.has(entry.channelId)) touch(entry);
    return seen.size;
  }

  /**
   * The time up to which `takeDue` finds only woken instances (they are due an hour early), or
   * null when none waits: the loop claims those ahead of its limits on batches reading.
   */
  wokenBefore(now: number): number | null {
    const next = this.nextDueAt();
    const bound = now - WOKEN_LEAD_MS / 2;
    return next !== null && next <= bound ? bound : null;
  }

  /** When the earliest instance is due (null: none is scheduled). */
  nextDueAt(): number | null {
    while (this.heap.length) {
      const top = this.heap[0]!;
      if (top.entry.dueAt === top.at && !top.entry.ticking && this.entries.has(top.entry.id)) return top.at;
      this.pop();
    }
    return null;
  }

  /** The oldest check per partition (0 for a partition with an instance not checked yet). */
  oldestCheckByPartition(): Map<number, number> {
    const oldest = new Map<number, number>();
    for (const entry of this.entries.values()) {
      const prev = oldest.get(entry.partition);
      if (prev === undefined || entry.checkedAt < prev) oldest.set(entry.partition, entry.checkedAt);
    }
    return oldest;
  }

  private moveEarlier(entry: ScheduledInstance, at: number): void {
    if (entry.ticking) return;
    if (!(at < entry.dueAt)) return;
    this.setDue(entry, at);
  }

  private setDue(entry: ScheduledInstance, at: number): void {
    entry.dueAt = at;
    this.push(entry);
  }

  private intern(value: string): string {
    const known = this.interned.get(value);
    if (known !== undefined) return known;
    this.interned.set(value, value);
    return value;
  }

  private rebuild(): void {
    this.heap = [];
    for (const entry of this.entries.values()) if (!entry.ticking) this.push(entry);
  }

  private push(entry: ScheduledInstance): void {
    const heap = this.heap;
    const node = { at: entry.dueAt, entry };
    let i = heap.length;
    heap.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= node.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = node;
  }

  private pop(): HeapNode | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (!top || !last || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && heap[r]!.at < heap[l]!.at ? r : l;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function addTo(index: Map<string, Set<ScheduledInstance>>, key: string, entry: ScheduledInstance): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(entry);
}

function removeFrom(index: Map<string, Set<ScheduledInstance>>, key: string, entry: ScheduledInstance): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(entry);
  if (set.size === 0) index.delete(key);
}
