/**
 * Runs one plugin hook under its own AbortController and deadline. On timeout the signal aborts and
 * the call settles at once as timed out: a plugin that ignores its signal keeps running in the
 * background, but never holds the tick (or its neighbours in the batch) hostage.
 */
export type CallOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; timedOut: true }
  | { ok: false; timedOut: false; error: unknown };

export async function callWithTimeout<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<CallOutcome<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CallOutcome<T>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
      resolve({ ok: false, timedOut: true });
    }, Math.max(0, timeoutMs));
  });
  // Wrapped in an async function so a synchronous throw is caught like a rejection.
  const attempt = (async (): Promise<CallOutcome<T>> => {
    try {
      return { ok: true, value: await call(controller.signal) };
    } catch (error) {
      return { ok: false, timedOut: false, error };
    }
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
