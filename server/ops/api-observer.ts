import { CLIENT_CODES } from '../http/graphql-errors.js';
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import type { GraphQLContext } from '../../schema/context.js';
import { requestScope } from '../domain/request-scope.js';
import type { Logger } from '../logger.js';
import type { DriftlessMetrics } from './metrics.js';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Every /graphql request gets an id: the caller's X-Request-Id when it is a plain token, otherwise a new one, echoed back. */
export function requestIds() {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = id;
    res.setHeader('x-request-id', id);
    // The scope the request runs in; the observer adds the viewer once the token is known.
    requestScope.run({ requestId: id }, next);
  };
}

/** A mutation answered with userErrors: the caller's input was refused, the server is fine. */
function hasUserErrors(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false;
  return Object.values(data as Record<string, unknown>).some((v) => !!v && typeof v === 'object' && Array.isArray((v as { userErrors?: unknown }).userErrors) && (v as { userErrors: unknown[] }).userErrors.length > 0);
}

// The client's doing: the same list the error formatter shows to clients (graphql-errors.ts).
const USER_CODES = CLIENT_CODES;

/**
 * One structured log line and one metric sample per GraphQL request over HTTP: operation name
 * (as the client named it, capped), type, duration, actor (token name and id) and result. The
 * operation name goes to the log only, never into a metric label (it is free text).
 */
export function apiObserverPlugin(metrics: DriftlessMetrics, logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      const scope = requestScope.getStore();
      if (scope && contextValue.viewer) scope.viewer = { tokenId: contextValue.viewer.tokenId, tokenName: contextValue.viewer.tokenName };
      const requestId = request.http?.headers.get('x-request-id') ?? undefined;
      return {
        async willSendResponse({ response, operation, errors }) {
          const seconds = (performance.now() - started) / 1000;
          const type = operation?.operation ?? 'unknown';
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          // The formatted errors (what the client got, with the codes the formatter gave them) when
          // there are any; the raw ones may lack a code (Apollo's persisted-query refusals).
          const all = body?.errors?.length ? body.errors : (errors ?? []);
          const result = all.length
            ? all.every((e) => USER_CODES.has(String((e as { extensions?: { code?: unknown } }).extensions?.code))) ? 'user_error' : 'error'
            : hasUserErrors(body?.data) ? 'user_error' : 'ok';
          metrics.apiRequests.inc({ operation_type: type, result });
          metrics.apiRequestDuration.observe({ operation_type: type }, seconds);
          const viewer = contextValue.viewer;
          const line = {
            requestId,
            operation: (request.operationName ?? operation?.name?.value ?? null)?.slice(0, 100) ?? null,
            operationType: type,
            durationMs: Math.round(seconds * 10_000) / 10,
            actor: viewer ? { tokenName: viewer.tokenName, tokenId: viewer.tokenId } : null,
            result,
          };
          if (result === 'error') logger.warn(line, 'api request');
          else logger.info(line, 'api request');
        },
      };
    },
  };
}

/** Open WebSocket connections and their subscriptions; a socket that closes takes its subscriptions with it. */
export function webSocketObserver(metrics: DriftlessMetrics) {
  const subscriptions = new WeakMap<object, Set<string>>();
  const subsOf = (extra: object): Set<string> => {
    let subs = subscriptions.get(extra);
    if (!subs) subscriptions.set(extra, (subs = new Set()));
    return subs;
  };
  return {
    connected(_extra: object) {
      metrics.wsConnections.inc();
    },
    disconnected(extra: object) {
      metrics.wsConnections.dec();
      const subs = subsOf(extra);
      if (subs.size) metrics.wsSubscriptions.dec(subs.size);
      subs.clear();
    },
    subscribed(extra: object, id: string) {
      const subs = subsOf(extra);
      if (!subs.has(id)) metrics.wsSubscriptions.inc();
      subs.add(id);
    },
    completed(extra: object, id: string) {
      if (subsOf(extra).delete(id)) metrics.wsSubscriptions.dec();
    },
  };
}
export type WebSocketObserver = ReturnType<typeof webSocketObserver>;
