import type http from 'node:http';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { CloseCode, handleProtocols, makeServer, type Context } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MikroORM } from '@mikro-orm/core';
import { authenticate } from '../auth/authenticate.js';
import { bearerToken } from '../auth/tokens.js';
import type { Viewer } from '../auth/viewer.js';
import type { LivePubSub } from '../domain/live.js';
import type { Logger } from '../logger.js';
import type { GraphQLContext } from '../../schema/context.js';
import { formatErrors, withCode, type ErrorFormatter } from './graphql-errors.js';
import type { WsRequestLimits } from './request-limits.js';
import { socketRegistry, sameAccess } from './ws-sockets.js';

/** Close codes a client can act on (4000-4999 is the application range). */
export const WS_CLOSE = { tokenNoLongerValid: 4401, tooManySockets: 4429 } as const;

interface Extra {
  socket: WebSocket;
  request: http.IncomingMessage;
  token?: string;
  viewer?: Viewer;
}

export interface WsServerOptions {
  server: http.Server;
  orm: MikroORM;
  schema: GraphQLSchema;
  /** The API limits (request-limits.ts), checked as on HTTP. */
  limits: WsRequestLimits;
  live: LivePubSub;
  format: ErrorFormatter;
  logger: Logger;
  contextFor(viewer: Viewer): GraphQLContext;
  maxPayloadBytes: number;
  maxSocketsPerToken: number;
  keepAliveMs: number;
  /** A socket authenticated: it no longer counts against the unauthenticated-connection bound. */
  authenticated(request: http.IncomingMessage): void;
  /** Told of sockets and subscriptions as they open and close (metrics). */
  observer?: WsObserver;
}

export interface WsObserver {
  connected(extra: object): void;
  disconnected(extra: object): void;
  subscribed(extra: object, id: string): void;
  completed(extra: object, id: string): void;
}

/**
 * graphql-ws on /graphql. The token is checked at connect and again before every operation, and a
 * token change published on the live bus (revoked, deleted, scope changed: on any replica, through
 * the PostgreSQL bridge) closes that token's sockets at once. Every error goes through the same
 * formatter as HTTP. A bad operation is answered with an error for that operation only; the socket
 * and its other subscriptions stay.
 */
export function startWsServer(opts: WsServerOptions): { dispose(): Promise<void> } {
  const { orm, schema, limits, format, logger } = opts;
  const sockets = socketRegistry(opts.keepAliveMs);
  const wss = new WebSocketServer({ server: opts.server, path: '/graphql', maxPayload: opts.maxPayloadBytes, handleProtocols });

  // Sockets to close once the refusal of their operation has been sent (closing first would drop it).
  const closeAfterSend = new WeakMap<WebSocket, string>();
  const refuse = (ctx: Context<Record<string, unknown>, Extra>, reason: string): GraphQLError[] => {
    closeAfterSend.set(ctx.extra.socket, reason.slice(0, 120));
    return [new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED' } })];
  };

  const gql = makeServer<Record<string, unknown>, Extra>({
    schema,
    onConnect: async (ctx) => {
      const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization ?? ctx.connectionParams?.token;
      const token = typeof raw === 'string' ? (bearerToken(raw) ?? raw) : undefined;
      const result = await authenticate(orm.em.fork(), token);
      if (!result.ok) return false; // closes with 4403 Forbidden
      if (sockets.count(result.viewer.tokenId) >= opts.maxSocketsPerToken) {
        ctx.extra.socket.close(WS_CLOSE.tooManySockets, `too many WebSockets for this token (limit ${opts.maxSocketsPerToken})`);
        return false;
      }
      ctx.extra.token = token;
      ctx.extra.viewer = result.viewer;
      sockets.add(result.viewer.tokenId, ctx.extra.socket, { token, viewer: result.viewer });
      opts.authenticated(ctx.extra.request);
      opts.observer?.connected(ctx.extra);
      return true;
    },
    onDisconnect: (ctx) => opts.observer?.disconnected(ctx.extra),
    onComplete: (ctx, id) => opts.observer?.completed(ctx.extra, id),
    onSubscribe: async (ctx, id, payload) => {
      // Per operation: a token revoked since connect (or changed in scope) runs nothing more.
      const result = await authenticate(orm.em.fork(), ctx.extra.token);
      if (!result.ok) return refuse(ctx, result.reason);
      if (!sameAccess(result.viewer, ctx.extra.viewer!)) return refuse(ctx, 'the token\'s role or application scope changed: reconnect');
      let document;
      try {
        document = parse(payload.query, { maxTokens: limits.maxTokens });
      } catch (err) {
        return withCode([err instanceof GraphQLError ? err : new GraphQLError(String(err))], 'GRAPHQL_PARSE_FAILED');
      }
      const invalid = validate(schema, document, specifiedRules);
      if (invalid.length) return withCode(invalid, 'GRAPHQL_VALIDATION_FAILED');
      // The first limit exceeded, as over HTTP (Apollo's didResolveOperation hook reports one error).
      const overLimit = limits.check(document, payload).slice(0, 1);
      if (overLimit.length) return withCode(overLimit, 'GRAPHQL_VALIDATION_FAILED');
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) return withCode([new GraphQLError(payload.operationName ? `unknown operation "${payload.operationName}"` : 'the document must name the operation to run')], 'OPERATION_RESOLUTION_FAILURE');
      const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
      if (variables.errors) return withCode(variables.errors, 'BAD_USER_INPUT');
      opts.observer?.subscribed(ctx.extra, id); // only operations that run: a refused one never completes
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: opts.contextFor(result.viewer) };
    },
    onNext: (_ctx, _id, _payload, _args, executed) => {
      const result = limits.capResult(executed) ?? executed;
      return result.errors ? { ...result, errors: formatErrors(format, result.errors) } : result;
    },
    onError: (_ctx, _id, _payload, errors) => formatErrors(format, errors),
  });

  wss.on('connection', (socket: WebSocket, request: http.IncomingMessage) => {
    // ws reports protocol errors (oversized or malformed frames) here; it closes the socket itself.
    socket.on('error', (err) => logger.debug({ err: err.message }, 'WebSocket protocol error'));
    sockets.track(socket);
    const closed = gql.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, () => resolve());
            const reason = closeAfterSend.get(socket);
            if (reason !== undefined) socket.close(WS_CLOSE.tokenNoLongerValid, reason);
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((err: unknown) => {
              // Hooks above answer every expected failure; this is a bug, logged once, socket closed.
              logger.error({ err }, 'unexpected error while handling a WebSocket message');
              socket.close(CloseCode.InternalServerError, 'internal error: the server logged the details');
            });
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      sockets.remove(socket);
      closed(code, String(reason)).catch((err: unknown) => logger.error({ err }, 'error while closing a WebSocket'));
    });
  });

  const stopKeepAlive = sockets.keepAlive();
  const stopWatching = watchTokenChanges(opts.live, async (tokenId) => {
    const open = sockets.of(tokenId);
    if (!open.length) return;
    const extra = open[0]!.extra;
    const result = await authenticate(orm.em.fork(), extra?.token);
    const reason = !result.ok ? result.reason : !sameAccess(result.viewer, extra!.viewer!) ? 'the token\'s role or application scope changed: reconnect' : undefined;
    if (reason) for (const s of open) s.socket.close(WS_CLOSE.tokenNoLongerValid, reason.slice(0, 120));
  }, logger);

  return {
    async dispose() {
      stopKeepAlive();
      await stopWatching();
      for (const client of wss.clients) client.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Runs `changed` for every TOKEN_CHANGED on the live bus (this replica's and, through the bridge, others'). */
function watchTokenChanges(live: LivePubSub, changed: (tokenId: string) => Promise<void>, logger: Logger): () => Promise<void> {
  const iterator = live.subscribe('TOKEN_CHANGED')[Symbol.asyncIterator]();
  const loop = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      await changed(next.value.tokenId).catch((err: unknown) => logger.error({ err }, 'could not close the WebSockets of a changed token'));
    }
  })();
  return async () => {
    await iterator.return?.();
    await loop;
  };
}
