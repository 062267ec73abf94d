import { useSyncExternalStore } from 'react';

/**
 * The current time, re-rendered every `intervalMs`: one timer per interval however many
 * components read it. A local clock for countdowns and "4m ago", not a poll of the server.
 */
const clocks = new Map<number, { now: number; listeners: Set<() => void>; timer?: ReturnType<typeof setInterval> }>();

function clock(intervalMs: number) {
  let c = clocks.get(intervalMs);
  if (!c) {
    c = { now: Date.now(), listeners: new Set() };
    clocks.set(intervalMs, c);
  }
  return c;
}

export function useNow(intervalMs = 1000): number {
  const c = clock(intervalMs);
  return useSyncExternalStore(
    (onChange) => {
      c.listeners.add(onChange);
      if (!c.timer) {
        c.now = Date.now();
        c.timer = setInterval(() => {
          c.now = Date.now();
          for (const l of c.listeners) l();
        }, intervalMs);
      }
      return () => {
        c.listeners.delete(onChange);
        if (!c.listeners.size && c.timer) {
          clearInterval(c.timer);
          c.timer = undefined;
        }
      };
    },
    () => c.now,
  );
}
