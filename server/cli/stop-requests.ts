/**
 * How a long-running command (the demo, a server) learns that the person wants it to stop: Ctrl-C
 * (SIGINT), `kill` (SIGTERM), a closing terminal (SIGHUP), or a reader at the other end of a pipe
 * going away (`driftless demo | tee log`, where Ctrl-C ends tee first). All four mean the same:
 * stop cleanly. Once installed, a second signal is absorbed, so an impatient Ctrl-C cannot kill the
 * process half-way through stopping what it started.
 */

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopReason = (typeof STOP_SIGNALS)[number] | 'output closed';

/** Exit code for a command ended by `reason` before it was done (128 + signal number, like a shell). */
export function interruptedExitCode(reason: StopReason): number {
  return { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, 'output closed': 141 }[reason];
}

let outputClosed: (() => void) | undefined;

/**
 * Called by the CLI's top level when writing to stdout or stderr fails because nobody reads any
 * more (EPIPE, or EIO from a terminal that closed). Returns false when no command asked to hear
 * about it, and the process may simply exit.
 */
export function notifyOutputClosed(): boolean {
  if (!outputClosed) return false;
  outputClosed();
  return true;
}

export interface StopRequests {
  /** Aborted, with the StopReason as its reason, on the first stop request. */
  signal: AbortSignal;
  /** Resolves with the first request's reason. */
  requested: Promise<StopReason>;
  dispose(): void;
}

export function listenForStopRequests(onRepeat?: (reason: StopReason) => void): StopRequests {
  const controller = new AbortController();
  let resolve!: (reason: StopReason) => void;
  const requested = new Promise<StopReason>((r) => (resolve = r));
  const request = (reason: StopReason) => {
    if (controller.signal.aborted) return onRepeat?.(reason);
    controller.abort(reason);
    resolve(reason);
  };
  const handlers = STOP_SIGNALS.map((signal) => [signal, () => request(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  outputClosed = () => request('output closed');
  return {
    signal: controller.signal,
    requested,
    dispose: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      outputClosed = undefined;
    },
  };
}
