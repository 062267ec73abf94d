import { describe, expect, it } from 'vitest';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
// Relative, as in fake.test.ts: this package has no dist in tests.
import { SharedStates } from '../src/shared-states.js';

describe('runtime-fake shared instance records (issue 17: one store for every thread)', () => {
  it('stores, overwrites, deletes and lists records', () => {
    const store = SharedStates.create();
    store.set([['inst:a/1', { version: 'v1' }], ['inst:a/2', { version: 'v1' }], ['fault:x', { kind: 'hang' }]]);
    store.set([['inst:a/1', { version: 'v2' }], ['inst:a/2', null]]);
    expect(store.get('inst:a/1')).toEqual({ version: 'v2' });
    expect(store.get('inst:a/2')).toBeUndefined();
    expect(store.get('inst:missing')).toBeUndefined();
    expect(store.entries('inst:')).toEqual([['inst:a/1', { version: 'v2' }]]);
  });

  it('holds 100,000 records in a few tens of MiB and finds each one', () => {
    const store = SharedStates.create();
    const n = 100_000;
    for (let i = 0; i < n; i += 1000) {
      store.set(Array.from({ length: 1000 }, (_, j) => [`inst:default/app${i + j}/c0/s00`, { instanceId: `app${i + j}/c0/s00`, version: 'rel', replicas: 1, status: 'SUCCEEDED' }] as [string, unknown]));
    }
    for (let i = 0; i < n; i += 997) expect(store.get(`inst:default/app${i}/c0/s00`)).toMatchObject({ instanceId: `app${i}/c0/s00` });
    expect(store.entries('inst:')).toHaveLength(n);
    expect(store.bytesUsed()).toBeLessThan(40 * 2 ** 20);
  });

  it('reset forgets every record', () => {
    const store = SharedStates.create();
    store.set([['inst:a/1', { version: 'v1' }]]);
    store.reset();
    expect(store.get('inst:a/1')).toBeUndefined();
    expect(store.entries('')).toEqual([]);
    store.set([['inst:a/1', { version: 'v3' }]]);
    expect(store.get('inst:a/1')).toEqual({ version: 'v3' });
  });

  it('a copy of the handle sent to another thread is the same memory, not a replica', () => {
    const store = SharedStates.create();
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(store.handle);
    const other = new SharedStates(receiveMessageOnPort(port2)!.message);
    port1.close();
    other.set([['inst:a/1', { version: 'from the other side' }]]);
    expect(store.get('inst:a/1')).toEqual({ version: 'from the other side' });
    store.reset();
    expect(other.get('inst:a/1')).toBeUndefined();
  });
});
