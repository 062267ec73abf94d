/**
 * Writes items as they come, a transaction at a time: whatever arrived while one write ran goes
 * into the next (group commit). Tick results stream in one by one as their plugin calls end; a
 * transaction per result would cost more than the ticks, a transaction per batch would make every
 * result wait for the batch's slowest call.
 */
export class GroupWriter<T> {
  private queue: T[] = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(item: T): void {
    this.queue.push(item);
    this.writing ??= this.drain();
  }

  /** Resolves when everything added so far is written; rejects with the first write's error. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  private async drain(): Promise<void> {
    // Results handed over in one go (one message from a worker thread) join one write.
    await null;
    while (this.queue.length) {
      const items = this.queue;
      this.queue = [];
      try {
        await this.write(items);
      } catch (error) {
        this.failure ??= error;
      }
    }
    this.writing = undefined;
  }
}
