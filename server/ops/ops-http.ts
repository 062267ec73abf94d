import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler, Router } from 'express';
import type { GraphQLContext } from '../../schema/context.js';
import type { Logger } from '../logger.js';
import { apiObserverPlugin, requestIds, webSocketObserver, type WebSocketObserver } from './api-observer.js';
import { opsRoutes, type OpsOptions } from './routes.js';

/** What the HTTP server mounts for operations: routes, the request observer, WebSocket counters. */
export interface OpsHttp {
  routes: Router;
  requestIds: RequestHandler;
  apolloPlugin: ApolloServerPlugin<GraphQLContext>;
  ws: WebSocketObserver;
}

export function opsHttp(opts: OpsOptions & { logger: Logger }): OpsHttp {
  return { routes: opsRoutes(opts), requestIds: requestIds(), apolloPlugin: apiObserverPlugin(opts.metrics, opts.logger), ws: webSocketObserver(opts.metrics) };
}
