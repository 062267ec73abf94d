import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useClient, useQuery, useSubscription, type AnyVariables, type UseQueryArgs } from 'urql';
import type { ResultOf } from '../graphql/graphql.js';
import { EventFields, InstanceChanges, LiveEvents } from '../graphql/operations/fragments.js';

export interface LiveState {
  /** The subscription socket is up. */
  connected: boolean;
  /** Times it came back after a drop; pages refetch then, since changes may have been missed. */
  reconnects: number;
}

const LiveContext = createContext<LiveState>({ connected: false, reconnects: 0 });

export function LiveProvider({ value, children }: { value: LiveState; children: ReactNode }) {
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);

/**
 * useQuery that reloads from the server once after the live connection came back: subscriptions
 * carry every change while connected, and this heals whatever happened while they could not.
 */
export function useLiveQuery<Data, Variables extends AnyVariables>(args: UseQueryArgs<Variables, Data>) {
  const result = useQuery<Data, Variables>(args);
  const { reconnects } = useLive();
  const seen = useRef(reconnects);
  const [, reexecute] = result;
  useEffect(() => {
    if (reconnects === seen.current) return;
    seen.current = reconnects;
    reexecute({ requestPolicy: 'network-only' });
  }, [reconnects, reexecute]);
  return result;
}

/** Keeps every instance of the application current in the cache, for as long as the caller is mounted. */
export function useInstanceUpdates(application: string | undefined): void {
  useSubscription({ query: InstanceChanges, variables: { application: application ?? '' }, pause: !application });
}

export type LiveEvent = ResultOf<typeof EventFields>;

/**
 * Live events of some applications, newest first, from the moment the caller mounted (one
 * subscription per application over the shared socket; the API streams per application).
 */
export function useLiveEvents(applications: string[], keep = 500): LiveEvent[] {
  const client = useClient();
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const key = [...applications].sort().join('\u0000');
  useEffect(() => {
    setEvents([]);
    const names = key ? key.split('\u0000') : [];
    const subs = names.map((application) =>
      client.subscription(LiveEvents, { application }).subscribe((result) => {
        const e = result.data?.convergenceEvents;
        if (e) setEvents((prev) => [e, ...prev].slice(0, keep));
      }),
    );
    return () => subs.forEach((s) => s.unsubscribe());
  }, [client, key, keep]);
  return events;
}
