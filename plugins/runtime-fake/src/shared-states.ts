/**
 * The fake runtime's instance records, held once per process in shared memory and read by every
 * thread in place (the engine's worker threads fetch from it, tests and benchmarks steer it from
 * the main thread).
 *
 * Why: a full replica per thread (a Map of decoded records in each) cost ~125 MiB per thread at
 * 100,000 instances. Here a record is ~250 bytes of JSON once, and a fetch stays a local lookup: a
 * hash probe in an index of offsets, a key comparison and a JSON.parse of one record, no message
 * to another thread.
 *
 * Layout: `index` is an open-addressing hash table (linear probing) of Int32 record offsets in
 * 8-byte units (0: empty slot). `data` is a growable SharedArrayBuffer: a header (the allocation
 * tail, the epoch) and append-only records `[epoch, keyBytes, valueBytes, 0] key value`, where
 * valueBytes = TOMBSTONE marks a delete. Writers reserve space with Atomics.add on the tail, write
 * the record, then publish its offset in the key's slot with compareExchange, so a reader that
 * sees an offset sees the whole record (Atomics order the plain writes before them). Last writer
 * wins per key; an engine tick of an instance runs in one thread at a time, so concurrent writes
 * to one key do not happen in practice.
 *
 * `reset()` bumps the epoch and clears the index; records of an older epoch are skipped like
 * tombstones (a write that raced the reset never resurfaces). Space is not reclaimed: a record is
 * rewritten only when an apply changes what runs, which benchmarks and tests do a bounded number
 * of times (10,000 applies ≈ 3 MB).
 *
 * Sharing: the first thread to use the store creates it and hands it to the threads it starts
 * through `setEnvironmentData` (piscina's workers inherit it), and announces it to threads that
 * already run through the replicated map (replica.ts) under `keys.store`.
 */
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

export const ENVIRONMENT_KEY = 'driftless-fake-runtime-states';

/** 2^21 slots: 8 MiB of index, room for ~1.4 million records below a 0.7 load factor. */
const SLOTS = 1 << 21;
const MAX_RECORDS = Math.floor(SLOTS * 0.7);
const MAX_DATA_BYTES = 4 * 2 ** 30;
const GROW_STEP = 16 * 2 ** 20;
/** Header Int32 words: allocation tail (in 8-byte units), epoch, record count. */
const TAIL = 0;
const EPOCH = 1;
const COUNT = 2;
const HEADER_UNITS = 2;
const TOMBSTONE = 0xffffffff;

/** ES2024's growable SharedArrayBuffer (Node 20 has it; the project's lib is ES2023). */
type Growable = SharedArrayBuffer & { grow(bytes: number): void };
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => Growable;

export interface StoreHandle {
  index: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SharedStates {
  private readonly index: Int32Array;
  private readonly header: Int32Array;

  constructor(readonly handle: StoreHandle) {
    this.index = new Int32Array(handle.index);
    this.header = new Int32Array(handle.data, 0, HEADER_UNITS * 2);
  }

  static create(): SharedStates {
    const data = new GrowableSharedArrayBuffer(GROW_STEP, { maxByteLength: MAX_DATA_BYTES });
    const store = new SharedStates({ index: new SharedArrayBuffer(SLOTS * 4), data });
    Atomics.store(store.header, TAIL, HEADER_UNITS);
    return store;
  }

  get(key: string): unknown {
    const bytes = encoder.encode(key);
    const off = this.find(bytes, hash(bytes));
    if (off === 0) return undefined;
    const view = new DataView(this.handle.data);
    const valueLength = view.getUint32(off * 8 + 8, true);
    if (valueLength === TOMBSTONE) return undefined;
    const start = off * 8 + 16 + bytes.length;
    return JSON.parse(decoder.decode(new Uint8Array(this.handle.data, start, valueLength)));
  }

  /** Writes several records; `null` deletes. */
  set(changes: [string, unknown][]): void {
    for (const [key, value] of changes) this.put(key, value);
  }

  /** Every live record whose key starts with prefix. */
  entries(prefix: string): [string, unknown][] {
    const out: [string, unknown][] = [];
    const epoch = Atomics.load(this.header, EPOCH);
    const view = new DataView(this.handle.data);
    for (let slot = 0; slot < SLOTS; slot++) {
      const off = Atomics.load(this.index, slot);
      if (off === 0 || view.getUint32(off * 8, true) !== epoch) continue;
      const keyLength = view.getUint32(off * 8 + 4, true);
      const valueLength = view.getUint32(off * 8 + 8, true);
      if (valueLength === TOMBSTONE) continue;
      const key = decoder.decode(new Uint8Array(this.handle.data, off * 8 + 16, keyLength));
      if (!key.startsWith(prefix)) continue;
      out.push([key, JSON.parse(decoder.decode(new Uint8Array(this.handle.data, off * 8 + 16 + keyLength, valueLength)))]);
    }
    return out;
  }

  /** Forgets every record (a new epoch); what other threads write after this counts. */
  reset(): void {
    Atomics.add(this.header, EPOCH, 1);
    for (let slot = 0; slot < SLOTS; slot++) Atomics.store(this.index, slot, 0);
    Atomics.store(this.header, COUNT, 0);
  }

  /** Bytes of shared memory in use (records, all epochs, plus the index). */
  bytesUsed(): number {
    return Atomics.load(this.header, TAIL) * 8 + SLOTS * 4;
  }

  private put(key: string, value: unknown): void {
    const keyBytes = encoder.encode(key);
    const valueBytes = value === null || value === undefined ? undefined : encoder.encode(JSON.stringify(value));
    const size = 16 + keyBytes.length + (valueBytes?.length ?? 0);
    const units = Math.ceil(size / 8);
    const off = Atomics.add(this.header, TAIL, units);
    this.ensure((off + units) * 8);
    const view = new DataView(this.handle.data);
    const epoch = Atomics.load(this.header, EPOCH);
    view.setUint32(off * 8, epoch, true);
    view.setUint32(off * 8 + 4, keyBytes.length, true);
    view.setUint32(off * 8 + 8, valueBytes ? valueBytes.length : TOMBSTONE, true);
    const bytes = new Uint8Array(this.handle.data, off * 8 + 16, keyBytes.length + (valueBytes?.length ?? 0));
    bytes.set(keyBytes, 0);
    if (valueBytes) bytes.set(valueBytes, keyBytes.length);
    this.publish(keyBytes, off, epoch);
  }

  /** Points the key's slot at the record at `off` (a new slot for a new key). */
  private publish(keyBytes: Uint8Array, off: number, epoch: number): void {
    let slot = hash(keyBytes) & (SLOTS - 1);
    for (let probes = 0; probes < SLOTS; probes++) {
      const current = Atomics.load(this.index, slot);
      if (current === 0) {
        if (Atomics.load(this.header, COUNT) >= MAX_RECORDS) throw new Error(`fake runtime: more than ${MAX_RECORDS} instance records in one process`);
        if (Atomics.compareExchange(this.index, slot, 0, off) === 0) {
          Atomics.add(this.header, COUNT, 1);
          return;
        }
        continue; // someone took the slot meanwhile: look at it again
      }
      if (this.keyAt(current, keyBytes, epoch)) {
        if (Atomics.compareExchange(this.index, slot, current, off) === current) return;
        continue;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    throw new Error('fake runtime: the instance index is full');
  }

  /** The offset of the key's current record, or 0. */
  private find(keyBytes: Uint8Array, h: number): number {
    const epoch = Atomics.load(this.header, EPOCH);
    let slot = h & (SLOTS - 1);
    for (let probes = 0; probes < SLOTS; probes++) {
      const off = Atomics.load(this.index, slot);
      if (off === 0 || this.keyAt(off, keyBytes, epoch)) return off;
      slot = (slot + 1) & (SLOTS - 1);
    }
    return 0;
  }

  private keyAt(off: number, keyBytes: Uint8Array, epoch: number): boolean {
    const view = new DataView(this.handle.data);
    if (view.getUint32(off * 8, true) !== epoch || view.getUint32(off * 8 + 4, true) !== keyBytes.length) return false;
    const stored = new Uint8Array(this.handle.data, off * 8 + 16, keyBytes.length);
    for (let i = 0; i < keyBytes.length; i++) if (stored[i] !== keyBytes[i]) return false;
    return true;
  }

  /** Grows the data buffer to hold `bytes` (any thread may; a grow that lost the race is fine). */
  private ensure(bytes: number): void {
    const data = this.handle.data as Growable;
    while (data.byteLength < bytes) {
      const want = Math.min(MAX_DATA_BYTES, Math.ceil(bytes / GROW_STEP) * GROW_STEP);
      if (want < bytes) throw new Error('fake runtime: instance records exceed 4 GiB');
      try {
        data.grow(want);
      } catch {
        // Another thread grew it (past `want`, or at the same moment): look again.
      }
    }
  }
}

/** FNV-1a over the key's bytes. */
function hash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

let shared: SharedStates | undefined;

/**
 * This process's store: inherited from the thread that started this one, else announced by a
 * thread already running (`announced`, from the replicated map), else created here.
 */
export function sharedStates(announced?: () => StoreHandle | undefined): SharedStates {
  if (shared) return shared;
  const inherited = getEnvironmentData(ENVIRONMENT_KEY) as StoreHandle | undefined;
  const handle = inherited ?? announced?.();
  shared = handle ? new SharedStates(handle) : SharedStates.create();
  // Threads started from here (piscina's workers) get the same store.
  if (!inherited) setEnvironmentData(ENVIRONMENT_KEY, shared.handle as never);
  return shared;
}

/** True once this thread uses a store (created, inherited or announced). */
export function hasSharedStates(): boolean {
  return shared !== undefined;
}
