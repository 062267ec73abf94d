/**
 * Runs batches on the piscina pool and survives losing the threads they run on.
 *
 * - Deadline: a plugin that busy-loops blocks its thread's event loop, so the per-call timeouts in
 *   the thread never fire. The main thread gives every batch a deadline from the moment the thread
 *   says it started it (the longest fetchMs + applyMs of its ticks, plus a margin for loading
 *   plugins); past it, the thread is terminated and piscina starts a new one.
 * - Threads are shared (concurrentTasksPerWorker), so losing one, by deadline, memory limit or
 *   crash, fails every batch on it. The progress records (batch-progress.ts) say whose plugin call
 *   held the thread: those ticks fail with a reason naming plugin and hook; every other tick runs
 *   once more on a healthy thread (fetch never mutates and apply is idempotent, so that is safe).
 *   One tick's runaway plugin must not cost its neighbours an attempt, which the engine counts
 *   toward rolling a release back.
 *
 * - Streaming: with `onResult`, the thread posts each tick's result as it is ready (worker.ts), so
 *   the caller can write it while slower neighbours still wait on their calls. A lost thread then
 *   costs only the ticks whose results had not arrived.
 *
 * Why not piscina's `run(task, { signal })`: aborting a running task does terminate its thread
 * (piscina 5.3), but piscina also never lets an abortable task share a thread, which would silently
 * turn concurrentTasksPerWorker off. Terminating the thread through `piscina.threads` keeps sharing.
 */
import type { Piscina } from 'piscina';
import { createProgressBuffer, ProgressReader } from './batch-progress.js';
import { failedTick } from './tick.js';
import { blame, causeOf, collateralMessage, failureOnThread, isBlamed, type BatchOnThread, type ThreadFailure } from './thread-failure.js';
import type { BatchStartedMessage, TickBatch, TickInput, TickResult, TicksDoneMessage } from './types.js';

export interface BatchGuardOptions {
  /** Added to a batch's longest tick budget to make its deadline. */
  deadlineMarginMs: number;
  /** The pool's per-thread heap limit, for messages. */
  memoryLimitMb: number;
}

/** Told of each tick's result as it arrives, with the tick's index in the batch; exactly once per tick. */
export type OnTickResult = (result: TickResult, index: number) => void;

interface Running extends BatchOnThread {
  deadlineMs: number;
  timer?: NodeJS.Timeout;
  /** Streaming batches: results by index as they arrive, how many, and who is told. */
  stream?: { results: (TickResult | undefined)[]; count: number; onResult: OnTickResult; complete?: () => void };
}

/** How long a lost thread's failure is kept for the batches that were on it to read. */
const FAILURE_MEMORY_MS = 60_000;

/**
 * A streaming batch's task answered, but some of its result messages have not arrived (they travel
 * on another port): how long to wait for them before running those ticks again.
 */
const STREAM_GRACE_MS = 5_000;

function isStarted(message: unknown): message is BatchStartedMessage {
  return typeof message === 'object' && message !== null && typeof (message as BatchStartedMessage).driftlessBatchStarted === 'number';
}

function isTicksDone(message: unknown): message is TicksDoneMessage {
  return typeof message === 'object' && message !== null && typeof (message as TicksDoneMessage).driftlessTicksDone === 'number';
}

export class BatchGuard {
  private nextId = 1;
  private readonly running = new Map<number, Running>();
  /** Streaming batches from their start until every result is in (or they are recovered). */
  private readonly streaming = new Map<number, Running>();
  /** Lost threads by threadId: the first batch to learn of a loss decides the blame for all. */
  private readonly failures = new Map<number, ThreadFailure>();
  private closed = false;

  constructor(
    private readonly piscina: Piscina,
    private readonly options: BatchGuardOptions,
  ) {
    piscina.on('message', (message: unknown) => {
      if (isStarted(message)) this.armDeadline(message.driftlessBatchStarted);
      else if (isTicksDone(message)) this.arrived(message);
    });
  }

  /**
   * Never rejects: a lost thread becomes results with reasons. With `onResult`, each result is
   * handed over as soon as it arrives (it must not throw); the promise still resolves with all.
   */
  async run(ticks: TickInput[], plugins: Record<string, string>, mayRetry = true, onResult?: OnTickResult): Promise<TickResult[]> {
    const buffer = createProgressBuffer(ticks.length);
    const budget = Math.max(...ticks.map((t) => t.timeouts.fetchMs + t.timeouts.applyMs));
    const batch: Running = { id: this.nextId++, ticks, progress: new ProgressReader(buffer), deadlineMs: budget + this.options.deadlineMarginMs };
    if (onResult) {
      batch.stream = { results: new Array<TickResult | undefined>(ticks.length), count: 0, onResult };
      this.streaming.set(batch.id, batch);
    }
    this.running.set(batch.id, batch);
    let failure: ThreadFailure | undefined;
    let error: unknown;
    try {
      const task: TickBatch = { ticks, plugins, batchId: batch.id, progress: buffer, ...(onResult ? { stream: true } : {}) };
      const answer = (await this.piscina.run(task)) as TickResult[] | null;
      if (answer) return answer;
    } catch (caught) {
      error = caught;
      failure = this.failureOf(batch, caught);
    } finally {
      clearTimeout(batch.timer);
      this.running.delete(batch.id);
    }
    if (batch.stream && error === undefined) {
      if (await this.allArrived(batch)) {
        this.streaming.delete(batch.id);
        return batch.stream.results as TickResult[];
      }
      error = new Error(`results of ${ticks.length - batch.stream.count} ticks did not arrive within ${STREAM_GRACE_MS} ms of the batch's end`);
    }
    // From here on a late message of this batch is ignored: what had not arrived is settled below.
    this.streaming.delete(batch.id);
    return this.recover(batch, plugins, mayRetry, failure, error);
  }

  private arrived(message: TicksDoneMessage): void {
    const batch = this.streaming.get(message.driftlessTicksDone);
    const stream = batch?.stream;
    if (!stream) return;
    for (const [index, result] of message.results) {
      if (stream.results[index] || index >= stream.results.length) continue;
      stream.results[index] = result;
      stream.count++;
      stream.onResult(result, index);
    }
    if (stream.count === stream.results.length) stream.complete?.();
  }

  private allArrived(batch: Running): Promise<boolean> {
    const stream = batch.stream!;
    if (stream.count === stream.results.length) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), STREAM_GRACE_MS);
      stream.complete = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /**
   * Whether a plugin call is executing synchronously on the thread right now. Such calls last
   * microseconds, so one caught mid-way is most likely spinning: new work (re-runs above all)
   * should go elsewhere rather than wait for that thread's deadline and fail with it.
   */
  isHeld(threadId: number): boolean {
    for (const batch of this.running.values()) {
      if (batch.progress.threadId() === threadId && batch.progress.syncCall()) return true;
    }
    return false;
  }

  close(): void {
    this.closed = true;
    for (const batch of this.running.values()) clearTimeout(batch.timer);
  }

  private armDeadline(id: number): void {
    const batch = this.running.get(id);
    if (!batch || batch.timer) return;
    batch.timer = setTimeout(() => this.onDeadline(batch), batch.deadlineMs);
    batch.timer.unref();
  }

  private onDeadline(batch: Running): void {
    const threadId = batch.progress.threadId();
    if (!this.running.has(batch.id) || threadId === 0 || this.failures.has(threadId)) return;
    // The batch whose deadline passed first need not be the one holding the thread: blame is
    // decided over every batch on it.
    this.remember(threadId, failureOnThread(this.onThread(threadId), { kind: 'blocked', ms: batch.deadlineMs }));
    // piscina sees the exit, fails the thread's tasks and starts a replacement when work needs one.
    void this.piscina.threads.find((t) => t.threadId === threadId)?.terminate();
  }

  /** Why the batch's task failed; undefined when its thread never started it (it is innocent). */
  private failureOf(batch: Running, error: unknown): ThreadFailure | undefined {
    const threadId = batch.progress.threadId();
    if (threadId === 0) return undefined;
    const known = this.failures.get(threadId);
    if (known) return known;
    // The thread went by itself (process.exit, memory limit, native crash). piscina fails all its
    // tasks in one go, so every batch that was on it is still in `running` here.
    const failure = failureOnThread(this.onThread(threadId), causeOf(error, this.options.memoryLimitMb));
    this.remember(threadId, failure);
    return failure;
  }

  /** Results for the ticks of a failed batch: those that arrived, the blamed ones' failures, the others run again. */
  private async recover(batch: Running, plugins: Record<string, string>, mayRetry: boolean, failure: ThreadFailure | undefined, error: unknown): Promise<TickResult[]> {
    const now = Date.now();
    const onResult = batch.stream?.onResult;
    const settled = (result: TickResult, index: number): TickResult => {
      onResult?.(result, index);
      return result;
    };
    const arrived = (i: number) => batch.stream?.results[i];
    if (this.closed) {
      return batch.ticks.map((t, i) => arrived(i) ?? settled(failedTick(t, now, 'PLUGIN_ERROR', { hook: 'fetch', message: 'the tick pool closed before this tick finished', terminal: false, timedOut: false }), i));
    }
    const results: (TickResult | undefined)[] = batch.ticks.map((t, i) => {
      const known = arrived(i);
      if (known) return known;
      if (!failure || !isBlamed(failure, batch.id, t)) return undefined;
      const { code, hook, message, timedOut } = blame(failure);
      return settled(failedTick(t, now, code, { hook, message, terminal: false, timedOut }), i);
    });
    const innocentAt = results.flatMap((r, i) => (r === undefined ? [i] : []));
    const innocent = innocentAt.map((i) => batch.ticks[i]!);
    let again: TickResult[];
    if (innocent.length === 0) again = [];
    else if (mayRetry) again = await this.run(innocent, plugins, false, onResult && ((r, j) => onResult(r, innocentAt[j]!)));
    else {
      const message = failure ? collateralMessage(failure) : `worker thread failed before it started this batch: ${error instanceof Error ? error.message : String(error)}`;
      again = innocent.map((t, j) => settled(failedTick(t, now, 'PLUGIN_ERROR', { hook: 'fetch', message, terminal: false, timedOut: false }), innocentAt[j]!));
    }
    let next = 0;
    return results.map((r) => r ?? again[next++]!);
  }

  private onThread(threadId: number): Running[] {
    return [...this.running.values()].filter((b) => b.progress.threadId() === threadId);
  }

  private remember(threadId: number, failure: ThreadFailure): void {
    this.failures.set(threadId, failure);
    setTimeout(() => this.failures.delete(threadId), FAILURE_MEMORY_MS).unref();
  }
}
