import type { WebSocket } from 'ws';
import type { Viewer } from '../auth/viewer.js';

export interface AuthenticatedSocket {
  socket: WebSocket;
  extra?: { token?: string; viewer?: Viewer };
}

interface Tracked {
  socket: WebSocket;
  tokenId?: string;
  extra?: AuthenticatedSocket['extra'];
  lastPingAt: number;
  awaitingPong: boolean;
}

/**
 * The open WebSockets, by token. Nothing here runs per socket on a timer of its own: one keep-alive
 * sweep visits every socket once a second (a comparison each; a ping only when that socket's
 * interval has passed, each socket with its own random phase), and a token change
 * finds its sockets by key.
 */
export function socketRegistry(keepAliveMs: number) {
  const all = new Map<WebSocket, Tracked>();
  const byToken = new Map<string, Set<WebSocket>>();
  return {
    track(socket: WebSocket): void {
      // A random phase: sockets opened in one burst are pinged spread over the interval, not at once.
      const entry: Tracked = { socket, lastPingAt: Date.now() - Math.random() * keepAliveMs, awaitingPong: false };
      all.set(socket, entry);
      socket.on('pong', () => (entry.awaitingPong = false));
    },
    add(tokenId: string, socket: WebSocket, extra: AuthenticatedSocket['extra']): void {
      const entry = all.get(socket);
      if (!entry) return;
      entry.tokenId = tokenId;
      entry.extra = extra;
      let set = byToken.get(tokenId);
      if (!set) byToken.set(tokenId, (set = new Set()));
      set.add(socket);
    },
    remove(socket: WebSocket): void {
      const entry = all.get(socket);
      all.delete(socket);
      if (!entry?.tokenId) return;
      const set = byToken.get(entry.tokenId);
      set?.delete(socket);
      if (set?.size === 0) byToken.delete(entry.tokenId);
    },
    count(tokenId: string): number {
      return byToken.get(tokenId)?.size ?? 0;
    },
    of(tokenId: string): AuthenticatedSocket[] {
      return [...(byToken.get(tokenId) ?? [])].map((socket) => ({ socket, extra: all.get(socket)?.extra }));
    },
    /** Pings each socket every keepAliveMs; one that has not answered the previous ping is dropped. */
    keepAlive(): () => void {
      const intervalMs = keepAliveMs;
      if (!(intervalMs > 0)) return () => undefined;
      const timer = setInterval(() => {
        const now = Date.now();
        for (const entry of all.values()) {
          if (now - entry.lastPingAt < intervalMs || entry.socket.readyState !== entry.socket.OPEN) continue;
          if (entry.awaitingPong) {
            entry.socket.terminate();
            continue;
          }
          entry.awaitingPong = true;
          entry.lastPingAt = now;
          entry.socket.ping();
        }
      }, Math.min(1000, intervalMs));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** Whether a re-read token still grants exactly what the socket was opened with. */
export function sameAccess(now: Viewer, then: Viewer): boolean {
  return now.tokenId === then.tokenId && now.role === then.role && JSON.stringify(now.applications) === JSON.stringify(then.applications);
}
