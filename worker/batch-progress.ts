/**
 * Where a batch is, written by its worker thread into shared memory and read by the main thread.
 * A thread blocked in a busy loop or killed by its memory limit cannot tell anyone anything, so it
 * keeps this record as it goes: plain stores, no messages, cheap enough to update on every call.
 *
 * Layout (Int32): [threadId running the batch (0: not started), index+1 of the tick whose plugin
 * hook is executing synchronously right now (0: none), that hook, then one stage per tick].
 */
import type { TickHook } from './types.js';

const THREAD = 0;
const SYNC_TICK = 1;
const SYNC_HOOK = 2;
const HEADER = 3;

/** Stages of one tick; also the hook codes of the sync slot. */
export const Stage = { queued: 0, load: 1, fetch: 2, apply: 3, done: 4 } as const;
type StageCode = (typeof Stage)[keyof typeof Stage];

const HOOKS: Record<number, TickHook> = { [Stage.load]: 'load', [Stage.fetch]: 'fetch', [Stage.apply]: 'apply' };

export interface PluginCall {
  tick: number;
  hook: TickHook;
}

export function createProgressBuffer(ticks: number): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER + ticks) * Int32Array.BYTES_PER_ELEMENT);
}

/** The worker thread's side. */
export class ProgressWriter {
  private readonly view: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.view = new Int32Array(buffer);
  }
  started(threadId: number): void {
    Atomics.store(this.view, THREAD, threadId);
  }
  stage(tick: number, stage: StageCode): void {
    Atomics.store(this.view, HEADER + tick, stage);
  }
  /** Runs the synchronous part of a plugin hook; if the thread never comes back, this is the culprit. */
  during<T>(tick: number, hook: 'fetch' | 'apply', call: () => T): T {
    this.stage(tick, Stage[hook]);
    Atomics.store(this.view, SYNC_HOOK, Stage[hook]);
    Atomics.store(this.view, SYNC_TICK, tick + 1);
    try {
      return call();
    } finally {
      Atomics.store(this.view, SYNC_TICK, 0);
    }
  }
}

/** The main thread's side. */
export class ProgressReader {
  private readonly view: Int32Array;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.view = new Int32Array(buffer);
  }
  /** The worker thread running the batch; 0 while it has not started. */
  threadId(): number {
    return Atomics.load(this.view, THREAD);
  }
  /** The plugin call that was executing synchronously (and so held the thread), if any. */
  syncCall(): PluginCall | undefined {
    const tick = Atomics.load(this.view, SYNC_TICK) - 1;
    return tick < 0 ? undefined : { tick, hook: HOOKS[Atomics.load(this.view, SYNC_HOOK)] ?? 'fetch' };
  }
  /** Ticks that were inside a plugin (loading it, or awaiting fetch or apply). */
  inFlight(): PluginCall[] {
    const out: PluginCall[] = [];
    for (let i = 0; i < this.view.length - HEADER; i++) {
      const hook = HOOKS[Atomics.load(this.view, HEADER + i)];
      if (hook) out.push({ tick: i, hook });
    }
    return out;
  }
}
