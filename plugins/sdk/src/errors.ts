/** Transient trouble (network blip, backend busy): the engine retries with backoff. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  readonly retryable = true as const;
}

/** Retrying cannot help (bad credentials, image missing): the engine fails the instance at once. */
export class TerminalError extends Error {
  override name = 'TerminalError';
  readonly retryable = false as const;
}

/** True when an error thrown by a plugin asks not to be retried. Works across realms (worker threads). */
export function isTerminalError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TerminalError';
}
