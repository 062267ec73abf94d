import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

export interface TransportLimits {
  /** Time to receive a whole request (headers and body); a slower client is cut off (408). */
  requestTimeoutMs: number;
  /** Connections that have not yet shown a valid token (on HTTP or in a WebSocket's connection_init). */
  maxUnauthenticatedConnections: number;
}

/**
 * Bounds what clients without a token can hold. A connection counts as unauthenticated from accept
 * until a request on it (or its WebSocket's connection_init) carries a valid token; beyond the bound
 * new connections are closed at accept, before a byte is read. They cannot linger: headers and body
 * must arrive within requestTimeoutMs, and the token is checked from the headers before the body is
 * read (server.ts), so each holds at most its headers.
 */
export function guardConnections(server: http.Server, limits: TransportLimits, logger: Logger): { authenticated(socket: Socket): void } {
  const pending = new Set<Socket>();
  let lastWarning = 0;
  server.on('connection', (socket: Socket) => {
    if (pending.size >= limits.maxUnauthenticatedConnections) {
      socket.destroy();
      const now = Date.now();
      if (now - lastWarning > 10_000) {
        lastWarning = now;
        logger.warn({ limit: limits.maxUnauthenticatedConnections }, 'refused connections: too many connections without a valid token (DRIFTLESS_MAX_UNAUTHENTICATED_CONNECTIONS)');
      }
      return;
    }
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
  });
  return { authenticated: (socket) => void pending.delete(socket) };
}

/** Options for http.createServer: the request timeout is checked every second, not Node's 30 s. */
export function httpServerOptions(limits: TransportLimits): http.ServerOptions {
  return { requestTimeout: limits.requestTimeoutMs, headersTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1000 };
}
