import { useSyncExternalStore } from 'react';

/**
 * The current time, re-rendered every `intervalMs`: one timer per interval however many
 * components read it. A local clock for countdowns and "4m ago", not a poll of the server.
 */
interface Clock {
  subscribe(onChange: () => void): () => void;
  now(): number;
}

const clocks = new Map<number, Clock>();

function clock(intervalMs: number): Clock {
  let c = clocks.get(intervalMs);
  if (c) return c;
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<() => void>();
  // Both functions keep their identity: React resubscribes whenever `subscribe` changes, and a
  // snapshot that changed on every subscribe would render forever.
  c = {
    subscribe(onChange) {
      listeners.add(onChange);
      timer ??= setInterval(() => {
        now = Date.now();
        for (const l of listeners) l();
      }, intervalMs);
      return () => {
        listeners.delete(onChange);
        if (!listeners.size && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    now: () => now,
  };
  clocks.set(intervalMs, c);
  return c;
}

export function useNow(intervalMs = 1000): number {
  const c = clock(intervalMs);
  return useSyncExternalStore(c.subscribe, c.now);
}
