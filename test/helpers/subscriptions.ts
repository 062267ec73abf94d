import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ADMIN_TOKEN } from './server.js';

/** A graphql-ws client for a test server, authenticated like any client. */
export function wsClient(httpUrl: string, token: string = ADMIN_TOKEN): Client {
  return createClient({ url: `${httpUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
}

/**
 * Collects every payload of a subscription until `stop()` is called. `ready` resolves once the
 * socket is connected and the server has had a moment to register the subscription (graphql-ws
 * sends no acknowledgement of a subscribe).
 */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): { items: T[]; errors: unknown[]; stop(): void; ready: Promise<void> } {
  const items: T[] = [];
  const errors: unknown[] = [];
  const ready = new Promise<void>((resolve) => {
    const off = client.on('connected', () => {
      off();
      setTimeout(resolve, 250);
    });
  });
  const stop = client.subscribe<T>({ query, variables }, { next: (v) => (v.data ? items.push(v.data) : errors.push(v.errors)), error: (e) => errors.push(e), complete: () => undefined });
  return { items, errors, stop, ready };
}
