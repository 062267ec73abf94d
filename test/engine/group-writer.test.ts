import { describe, expect, it } from 'vitest';
import { GroupWriter } from '../../server/engine/group-writer.js';

/** A write that waits until the test lets it finish, so what arrives meanwhile can be seen queueing. */
function gatedWriter() {
  const writes: number[][] = [];
  const gates: (() => void)[] = [];
  const writer = new GroupWriter<number>(async (items) => {
    writes.push(items);
    if (items.includes(-1)) throw new Error('refused');
    await new Promise<void>((resolve) => gates.push(resolve));
  });
  const open = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { writer, writes, open };
}

describe('GroupWriter', () => {
  it('writes what is added in one turn together, and what comes during a write in the next one', async () => {
    const { writer, writes, open } = gatedWriter();
    const first = [1, 2, 3].map((n) => writer.add(n));
    await open();
    await Promise.all(first);
    expect(writes).toEqual([[1, 2, 3]]);

    const a = writer.add(4);
    await new Promise((r) => setImmediate(r));
    // 4 is being written; 5 and 6 wait for it and then go together.
    const later = [writer.add(5), writer.add(6)];
    await open();
    await a;
    expect(writes).toEqual([[1, 2, 3], [4], [5, 6]]);
    await open();
    await Promise.all(later);
  });

  it('a failed write rejects its own items only; the writer goes on', async () => {
    const { writer, writes, open } = gatedWriter();
    const bad = [writer.add(-1), writer.add(7)];
    const results = await Promise.allSettled(bad);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const good = writer.add(8);
    await open();
    await expect(good).resolves.toBeUndefined();
    expect(writes).toEqual([[-1, 7], [8]]);
  });
});
