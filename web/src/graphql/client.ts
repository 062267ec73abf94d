import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { apiUrls } from '../session/token-store.js';
import { dashboardCache } from './cache.js';

export interface ClientHooks {
  /** The server refused the token (revoked while signed in, or a server with another database). */
  onRefused(): void;
  /** The live connection came up (true) or went down (false). */
  onLive(live: boolean): void;
}

const isCloseEvent = (e: unknown): e is { code: number } => typeof e === 'object' && e !== null && 'code' in e;
/** 4403: the token was refused at connect; 4401: it was revoked (or changed) while the socket was open. */
const tokenRefused = (e: unknown): boolean => isCloseEvent(e) && (e.code === 4403 || e.code === 4401);

/**
 * The dashboard's GraphQL client for one token: queries and mutations over HTTP POST, subscriptions
 * over one graphql-ws socket, both with `Authorization: Bearer`. Live data comes only from
 * subscriptions; nothing polls.
 */
export interface DashboardClient {
  client: Client;
  /** Opens the live socket (the client makes it on first use otherwise). */
  connect(): void;
  dispose(): void;
  disposed(): boolean;
}

/**
 * The dashboard's GraphQL client for one token: queries and mutations over HTTP POST, subscriptions
 * over one graphql-ws socket, both with `Authorization: Bearer`. Live data comes only from
 * subscriptions; nothing polls. Making one has no side effect (React may make one and throw it
 * away): the socket opens on `connect()` or the first subscription, and then stays open for the
 * session, which is what the header's "Live" says.
 */
export function createDashboardClient(token: string, hooks: ClientHooks): DashboardClient {
  const urls = apiUrls();
  let ws: WsClient | undefined;
  let disposed = false;
  const socket = (): WsClient =>
    (ws ??= createWsClient({
      url: urls.ws,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      keepAlive: 20_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      // The server refused the token. Retrying cannot help; everything else (a restarting
      // server, a dropped network) is retried with graphql-ws's backoff.
      shouldRetry: (e) => !tokenRefused(e),
      // A refusal ends the session through onRefused below; nothing to print.
      onNonLazyError: () => undefined,
      on: {
        connected: () => hooks.onLive(true),
        closed: (e) => {
          hooks.onLive(false);
          if (tokenRefused(e)) hooks.onRefused();
        },
      },
    }));
  const client = new Client({
    url: urls.http,
    // POST: the API answers GET too (urql's default), but the dashboard's queries are long for a URL.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      mapExchange({
        onResult(result) {
          const refused = result.error?.response?.status === 401 || result.error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
          if (refused) hooks.onRefused();
          return result;
        },
      }),
      dashboardCache(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: socket().subscribe(input, sink) }) };
        },
      }),
    ],
  });
  return {
    client,
    connect: () => void (disposed || socket()),
    dispose: () => {
      disposed = true;
      void ws?.dispose();
    },
    disposed: () => disposed,
  };
}
