/**
 * A key/value map replicated across every thread of this process over one BroadcastChannel: fault
 * rules, the latency override and the apply-call log (instance records, the bulk, are shared
 * memory instead: shared-states.ts).
 *
 * Why: plugin calls run in piscina worker threads while tests (and the server) read and steer the
 * fake from the main thread. Each thread holds a full replica of this small map, so reads (every
 * `fetch` consults the faults) are a local lookup; only writes (a fault, an apply's log record)
 * cost a broadcast.
 *
 * Consistency: last writer wins per key, ordered by (Lamport clock, origin). `reset()` starts a new
 * epoch that drops everything older. A thread that joins late says hello; every replica holding
 * data answers with a snapshot, merged by the same rule. One engine tick of an instance runs in one
 * thread at a time, so concurrent writes to the same key do not happen in practice.
 *
 * Ordering guarantee: `flush()` resolves once every known replica has processed every message this
 * replica sent before it (a channel delivers one sender's messages in order). Control calls await
 * it, so a fault set by a test is in force in all threads before the test's next tick. A replica that
 * does not answer within ACK_TIMEOUT_MS (its thread ended) is forgotten until it speaks again.
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';

export const CHANNEL_NAME = 'driftless-fake-runtime';
const ACK_TIMEOUT_MS = 150;
/** How long a new replica waits for a snapshot before assuming it is alone (once per thread). */
const JOIN_TIMEOUT_MS = 50;

interface Entry {
  value: unknown;
  clock: number;
  origin: string;
}

/** An append-only record (apply calls): merged by id, never overwritten. */
export interface LogRecord {
  id: string;
  [key: string]: unknown;
}

type Message =
  | { t: 'set'; origin: string; epoch: number; entries: [string, Entry][]; log: LogRecord[] }
  | { t: 'reset'; origin: string; epoch: number }
  | { t: 'hello'; origin: string }
  | { t: 'snapshot'; origin: string; to: string; epoch: number; entries: [string, Entry][]; log: LogRecord[] }
  | { t: 'ping'; origin: string; id: string }
  | { t: 'ack'; origin: string; to: string; id: string };

export class Replica {
  readonly origin = `${threadId}:${randomUUID().slice(0, 8)}`;
  private readonly channel = new BroadcastChannel(CHANNEL_NAME);
  private readonly map = new Map<string, Entry>();
  private log: LogRecord[] = [];
  private logIds = new Set<string>();
  private epoch = 0;
  private clock = 0;
  private readonly peers = new Set<string>();
  private readonly pendingAcks = new Map<string, { waiting: Set<string>; done: () => void }>();
  /** Writes not yet broadcast: coalesced per microtask, so a batch of 500 applies is one message. */
  private outEntries: [string, Entry][] = [];
  private outLog: LogRecord[] = [];
  private outScheduled = false;
  /** Bumped whenever a key of a group (the part before the first ':') changes; lets readers cache. */
  private readonly generations = new Map<string, number>();
  /** Resolves when this replica has caught up with the others (or found it is alone). */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor() {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.channel.onmessage = (event: unknown) => this.receive((event as { data: Message }).data);
    // The channel must not keep a process or thread alive on its own.
    (this.channel as unknown as { unref?: () => void }).unref?.();
    // Not unref'd: a caller awaiting `ready` must not see its process exit underneath it.
    setTimeout(() => this.markReady(), JOIN_TIMEOUT_MS);
    this.post({ t: 'hello', origin: this.origin });
  }

  get(key: string): unknown {
    return this.map.get(key)?.value;
  }

  /** All live (non-deleted) values whose key starts with prefix. */
  entries(prefix: string): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const [key, entry] of this.map) {
      if (entry.value !== null && key.startsWith(prefix)) out.push([key, entry.value]);
    }
    return out;
  }

  /** Writes several keys at once; a null value deletes (a tombstone, so deletes replicate too). */
  set(changes: [string, unknown][]): void {
    for (const [key, value] of changes) {
      const entry: Entry = { value, clock: ++this.clock, origin: this.origin };
      this.store(key, entry);
      this.outEntries.push([key, entry]);
    }
    this.scheduleSend();
  }

  append(record: LogRecord): void {
    this.addLog(record);
    this.outLog.push(record);
    this.scheduleSend();
  }

  /** Changes to keys of `group` ("fault", "inst", ...) since the replica started. */
  generation(group: string): number {
    return this.generations.get(group) ?? 0;
  }

  records(): LogRecord[] {
    return this.log;
  }

  reset(): void {
    this.outEntries = [];
    this.outLog = [];
    this.startEpoch(this.epoch + 1);
    this.post({ t: 'reset', origin: this.origin, epoch: this.epoch });
  }

  /** Resolves once every known replica has seen everything this one sent before the call. */
  flush(): Promise<void> {
    this.sendNow();
    if (this.peers.size === 0) return Promise.resolve();
    const id = randomUUID();
    return new Promise((resolve) => {
      const waiting = new Set(this.peers);
      const timer = setTimeout(() => {
        for (const silent of waiting) this.peers.delete(silent);
        finish();
      }, ACK_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        this.pendingAcks.delete(id);
        resolve();
      };
      this.pendingAcks.set(id, { waiting, done: finish });
      this.post({ t: 'ping', origin: this.origin, id });
    });
  }

  close(): void {
    this.channel.close();
  }

  private post(message: Message): void {
    // Anything written before this message must reach peers before it (reset, ping, snapshot).
    if (message.t !== 'set') this.sendNow();
    this.channel.postMessage(message);
  }

  private scheduleSend(): void {
    if (this.outScheduled) return;
    this.outScheduled = true;
    queueMicrotask(() => this.sendNow());
  }

  private sendNow(): void {
    this.outScheduled = false;
    if (this.outEntries.length === 0 && this.outLog.length === 0) return;
    const message: Message = { t: 'set', origin: this.origin, epoch: this.epoch, entries: this.outEntries, log: this.outLog };
    this.outEntries = [];
    this.outLog = [];
    this.post(message);
  }

  private store(key: string, entry: Entry): void {
    this.map.set(key, entry);
    const colon = key.indexOf(':');
    const group = colon < 0 ? key : key.slice(0, colon);
    this.generations.set(group, this.generation(group) + 1);
  }

  private startEpoch(epoch: number): void {
    this.epoch = epoch;
    this.map.clear();
    this.log = [];
    this.logIds = new Set();
    for (const group of this.generations.keys()) this.generations.set(group, this.generation(group) + 1);
  }

  private addLog(record: LogRecord): void {
    if (this.logIds.has(record.id)) return;
    this.logIds.add(record.id);
    this.log.push(record);
  }

  /** Brings this replica to `epoch` when a newer one is seen; false when the message is stale. */
  private accept(epoch: number): boolean {
    if (epoch < this.epoch) return false;
    if (epoch > this.epoch) this.startEpoch(epoch);
    return true;
  }

  private merge(entries: [string, Entry][]): void {
    for (const [key, incoming] of entries) {
      this.clock = Math.max(this.clock, incoming.clock);
      const current = this.map.get(key);
      const newer =
        !current ||
        incoming.clock > current.clock ||
        (incoming.clock === current.clock && incoming.origin > current.origin);
      if (newer) this.store(key, incoming);
    }
  }

  private receive(message: Message): void {
    if (message.origin === this.origin) return;
    this.peers.add(message.origin);
    switch (message.t) {
      case 'set':
        if (this.accept(message.epoch)) {
          this.merge(message.entries);
          for (const record of message.log) this.addLog(record);
        }
        return;
      case 'reset':
        this.accept(message.epoch);
        return;
      case 'hello':
        // Only replicas with something to tell answer; an empty world costs the newcomer one wait.
        if (this.map.size > 0 || this.log.length > 0 || this.epoch > 0) {
          this.post({ t: 'snapshot', origin: this.origin, to: message.origin, epoch: this.epoch, entries: [...this.map], log: this.log });
        }
        return;
      case 'snapshot':
        if (message.to !== this.origin) return;
        if (this.accept(message.epoch)) {
          this.merge(message.entries);
          for (const record of message.log) this.addLog(record);
        }
        this.markReady();
        return;
      case 'ping':
        this.post({ t: 'ack', origin: this.origin, to: message.origin, id: message.id });
        return;
      case 'ack': {
        if (message.to !== this.origin) return;
        const pending = this.pendingAcks.get(message.id);
        if (!pending) return;
        pending.waiting.delete(message.origin);
        if (pending.waiting.size === 0) pending.done();
        return;
      }
    }
  }
}

let shared: Replica | undefined;

/** This thread's replica, created on first use. */
export function replica(): Replica {
  shared ??= new Replica();
  return shared;
}
