import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/core';
import type { Viewer } from '../auth/viewer.js';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { GraphQLContext, ServerHooks } from '../../schema/context.js';
import { createLoaders } from '../../schema/loaders.js';
import { guardConnections, httpServerOptions } from './connection-guard.js';
import type { OpsHttp } from '../ops/ops-http.js';
import { formatGraphQLError } from './graphql-errors.js';
import { queryLimitsFrom, requestLimitsPlugin, wsRequestLimits } from './request-limits.js';
import { dashboardPage, graphqlIdePage, webAssets } from './web-pages.js';
import { requireToken } from './require-token.js';
import { startWsServer } from './ws-server.js';

export interface HttpServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

function jsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * HTTP (GraphQL over POST) and WebSocket (graphql-ws) on one port. Every request and every
 * WebSocket connection authenticates with a bearer token before anything else runs.
 */
export async function startHttpServer(opts: { config: ServerConfig; orm: MikroORM; schema: GraphQLSchema; hooks: ServerHooks; logger: Logger; ops: OpsHttp }): Promise<HttpServer> {
  const { config, orm, schema, hooks, logger, ops } = opts;
  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(httpServerOptions(config.transport), app);
  const limits = queryLimitsFrom(config);

  const contextFor = (viewer: Viewer): GraphQLContext => {
    const em = orm.em.fork();
    return { em, viewer, loaders: createLoaders(em), hooks };
  };

  const format = formatGraphQLError(logger, config.development);
  const guard = guardConnections(server, config.transport, logger);
  const wsServer = startWsServer({
    server,
    orm,
    schema,
    limits: wsRequestLimits(schema, limits),
    live: hooks.live,
    format,
    logger,
    contextFor,
    maxPayloadBytes: config.maxBodyBytes,
    maxSocketsPerToken: config.transport.maxSocketsPerToken,
    keepAliveMs: config.transport.wsKeepAliveMs,
    authenticated: (request) => guard.authenticated(request.socket),
    // Metrics only (open sockets and subscriptions); server/ops/api-observer.ts.
    observer: ops.ws,
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    parseOptions: { maxTokens: limits.maxTokens },
    includeStacktraceInErrorResponses: config.development,
    formatError: format,
    introspection: true,
    // CSRF prevention guards cookie sessions against cross-site requests. This API takes only bearer
    // tokens from the Authorization header, which a cross-site form or <img> cannot send, so it
    // protects nothing here, and it refuses urql's default GET (no content-type). Mutations stay
    // POST-only (Apollo refuses them over GET).
    csrfPrevention: false,
    // The server's own SIGINT/SIGTERM handling stops everything in order (HTTP, engine, pool,
    // database); Apollo stopping itself on the same signal raced it and hung the shutdown.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginCacheControlDisabled(),
      requestLimitsPlugin(schema, limits),
      // Browsers get the bundled GraphiQL (web-pages.ts) instead of Apollo's CDN-hosted page.
      ApolloServerPluginLandingPageDisabled(),
      { async serverWillStart() { return { async drainServer() { await wsServer.dispose(); } }; } },
      ops.apolloPlugin,
    ],
  });
  await apollo.start();

  // /healthz, /readyz, /metrics (server/ops/routes.ts), and a request id on every API request.
  app.use(ops.routes);
  app.use('/graphql', ops.requestIds);
  app.use(webAssets());
  // The IDE page is public and holds no data; every request that reaches the API needs a token.
  app.get('/graphql', graphqlIdePage());
  app.use('/graphql', requireToken(orm, guard.authenticated));
  app.use('/graphql', express.json({ limit: config.maxBodyBytes }));
  app.use('/graphql', expressMiddleware(apollo, { context: async ({ res }) => contextFor(res.locals.viewer as Viewer) }));
  app.use(dashboardPage());
  app.use((_req, res) => jsonError(res, 404, 'NOT_FOUND', 'not found: the API is at /graphql'));
  // Body-parser and other middleware errors: a clear JSON answer, never a stack trace.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') return jsonError(res, 413, 'REQUEST_TOO_LARGE', `request body larger than ${config.maxBodyBytes} bytes`);
    if (err.type === 'entity.parse.failed') return jsonError(res, 400, 'BAD_REQUEST', 'request body is not valid JSON');
    if (err.status && err.status < 500) return jsonError(res, err.status, 'BAD_REQUEST', err.message);
    logger.error({ err }, 'unexpected HTTP error');
    jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error: the server logged the details');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: async () => {
      await apollo.stop(); // drains HTTP and disposes the WebSocket server
    },
  };
}
