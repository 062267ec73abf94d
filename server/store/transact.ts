import { DeadlockException, LockWaitTimeoutException, type EntityManager } from '@mikro-orm/core';

/** PostgreSQL deadlock / serialization failure, SQLite busy: the same work may succeed if run again. */
export function isTransientConflict(err: unknown): boolean {
  if (err instanceof DeadlockException || err instanceof LockWaitTimeoutException) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === 'SQLITE_BUSY';
}

/**
 * `em.transactional` that runs the work again (up to `attempts` times, with a short jittered pause)
 * when the database aborted it for a transient conflict: the engine writes the same instance rows in
 * batches, so a mutation can lose a lock race it would win a moment later. Everything else propagates.
 */
export async function transact<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.transactional(work);
    } catch (err) {
      if (attempt >= attempts || !isTransientConflict(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
