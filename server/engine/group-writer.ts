/**
 * Writes items as they come, one transaction at a time: whatever arrived while a write ran goes
 * into the next one (group commit). Tick results stream in one by one as their plugin calls end,
 * from several batches at once; a transaction per result would cost more than the ticks, and a
 * transaction per batch would make every result wait for its batch's slowest call. One writer per
 * engine also keeps the engine's writes from queueing up on the database connection in front of
 * the reads a woken instance's tick needs.
 */
export class GroupWriter<T> {
  private queue: { item: T; done: () => void; failed: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  /** Resolves once the item's transaction is over; rejects with that write's error. */
  add(item: T): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ item, done, failed });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    // Results handed over in one go (one message from a worker thread) join one write.
    await null;
    while (this.queue.length) {
      const entries = this.queue;
      this.queue = [];
      try {
        await this.write(entries.map((e) => e.item));
        for (const e of entries) e.done();
      } catch (error) {
        for (const e of entries) e.failed(error);
      }
    }
    this.writing = false;
  }
}
