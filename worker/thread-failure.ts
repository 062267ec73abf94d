/**
 * What happened when a worker thread was lost (blocked and replaced, out of memory, crashed), who
 * is to blame, and the messages users read in the instances' reasons.
 *
 * Blame is only as precise as the batches' progress records: a plugin hook caught executing
 * synchronously is certain; otherwise a single plugin in flight on the thread is the suspect;
 * otherwise nobody can be told apart and every tick that was on the thread is blamed.
 */
import type { ProgressReader } from './batch-progress.js';
import type { TickHook, TickInput, TickReason } from './types.js';

export type ThreadFailureCause =
  | { kind: 'blocked'; ms: number }
  | { kind: 'out-of-memory'; limitMb: number }
  | { kind: 'crashed'; message: string };

export interface ThreadFailure {
  cause: ThreadFailureCause;
  /** The plugin call that took the thread down; `batchId` when it was caught mid-call in that batch. */
  culprit?: { plugin: string; hook: TickHook; batchId?: number };
  /** Without a culprit: the plugin calls that were in flight on the thread, for the message. */
  inFlight: string[];
}

/** A batch that was running on the lost thread. */
export interface BatchOnThread {
  id: number;
  ticks: TickInput[];
  progress: ProgressReader;
}

export function failureOnThread(batches: BatchOnThread[], cause: ThreadFailureCause): ThreadFailure {
  for (const batch of batches) {
    const call = batch.progress.syncCall();
    const tick = call && batch.ticks[call.tick];
    if (call && tick) return { cause, culprit: { plugin: tick.plugin, hook: call.hook, batchId: batch.id }, inFlight: [] };
  }
  const calls = new Map<string, { plugin: string; hook: TickHook }>();
  for (const batch of batches) {
    for (const call of batch.progress.inFlight()) {
      const plugin = batch.ticks[call.tick]?.plugin;
      if (plugin !== undefined) calls.set(`plugin "${plugin}" ${call.hook}`, { plugin, hook: call.hook });
    }
  }
  const [only, ...more] = [...calls.values()];
  if (only && more.length === 0) return { cause, culprit: only, inFlight: [] };
  return { cause, inFlight: [...calls.keys()].sort() };
}

export function causeOf(error: unknown, memoryLimitMb: number): ThreadFailureCause {
  if ((error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') return { kind: 'out-of-memory', limitMb: memoryLimitMb };
  return { kind: 'crashed', message: error instanceof Error ? error.message : String(error) };
}

/** Whether `tick` of batch `batchId` is to blame (its plugin's call took the thread down). */
export function isBlamed(failure: ThreadFailure, batchId: number, tick: TickInput): boolean {
  const { culprit } = failure;
  if (!culprit) return true;
  return tick.plugin === culprit.plugin && (culprit.batchId === undefined || culprit.batchId === batchId);
}

/** The reason and error of a blamed tick. */
export function blame(failure: ThreadFailure): { code: TickReason['code']; hook: TickHook; message: string; timedOut: boolean } {
  const { cause, culprit } = failure;
  const call = culprit ? `plugin "${culprit.plugin}" ${culprit.hook}` : undefined;
  const inFlight = `(in flight: ${failure.inFlight.join(', ') || 'no plugin call'})`;
  const replaced = 'the thread was replaced';
  const hook = culprit?.hook ?? 'fetch';
  switch (cause.kind) {
    case 'blocked':
      return {
        code: 'PLUGIN_TIMEOUT',
        hook,
        timedOut: true,
        message: call
          ? `${call} did not return within ${cause.ms} ms and blocked its worker thread; ${replaced}`
          : `a plugin call blocked its worker thread for ${cause.ms} ms ${inFlight}; ${replaced}`,
      };
    case 'out-of-memory':
      return {
        code: 'PLUGIN_ERROR',
        hook,
        timedOut: false,
        message: `worker thread ran out of memory (limit ${cause.limitMb} MB) ${call ? `while ${call} was running` : inFlight}; ${replaced}`,
      };
    case 'crashed':
      return {
        code: 'PLUGIN_ERROR',
        hook,
        timedOut: false,
        message: `worker thread failed: ${cause.message} ${call ? `while ${call} was running` : inFlight}; ${replaced}`,
      };
  }
}

/** For an innocent tick that lost its thread twice in a row; the engine ticks it again later. */
export function collateralMessage(failure: ThreadFailure): string {
  const verb = { blocked: 'blocked it', 'out-of-memory': 'ran it out of memory', crashed: 'crashed it' }[failure.cause.kind];
  const who = failure.culprit ? ` (plugin "${failure.culprit.plugin}" ${failure.culprit.hook})` : '';
  return `worker thread replaced because another plugin call ${verb}${who}; this instance is checked again on its next tick`;
}
