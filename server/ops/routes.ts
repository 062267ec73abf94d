import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/core';
import { Router, type Request, type Response } from 'express';
import { authenticate } from '../auth/authenticate.js';
import { bearerToken } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import type { DriftlessMetrics } from './metrics.js';
import { checkReadiness, type ReadinessSources } from './readiness.js';

export interface OpsOptions {
  metrics: DriftlessMetrics;
  readiness: ReadinessSources;
  orm: MikroORM;
  logger: Logger;
  /** Set: /metrics is served open on its own port and not on the API port. */
  metricsPort?: number;
  /** A scrape secret (DRIFTLESS_METRICS_TOKEN); admin API tokens are accepted as well. */
  metricsToken?: string;
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

async function sendMetrics(opts: OpsOptions, res: Response | http.ServerResponse): Promise<void> {
  try {
    const text = await opts.metrics.text();
    res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
    res.end(text);
  } catch (err) {
    opts.logger.warn({ err }, 'could not collect metrics');
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('metrics unavailable: the database did not answer\n');
  }
}

/**
 * /healthz, /readyz and (unless it has its own port) /metrics on the API port. Health and
 * readiness need no token and say nothing a stranger could use; metrics need the scrape token or
 * an admin token, since application and channel names are in their labels.
 */
export function opsRoutes(opts: OpsOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(opts.readiness);
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.ready ? 'ready' : 'unready', checks: readiness.checks });
  });
  router.get('/metrics', async (req: Request, res: Response) => {
    if (opts.metricsPort !== undefined) return void res.status(404).json({ errors: [{ message: 'metrics are served on the metrics port (DRIFTLESS_METRICS_PORT)', extensions: { code: 'NOT_FOUND' } }] });
    const token = bearerToken(req.headers.authorization);
    let allowed = !!token && !!opts.metricsToken && sameSecret(token, opts.metricsToken);
    if (!allowed && token) {
      const result = await authenticate(opts.orm.em.fork(), token).catch(() => ({ ok: false as const, reason: 'the database did not answer' }));
      allowed = result.ok && result.viewer.role === 'admin';
    }
    if (!allowed) return void res.status(401).json({ errors: [{ message: 'metrics need "Authorization: Bearer <token>": DRIFTLESS_METRICS_TOKEN or an admin token', extensions: { code: 'UNAUTHENTICATED' } }] });
    await sendMetrics(opts, res);
  });
  return router;
}

/** DRIFTLESS_METRICS_PORT: /metrics open on its own port (bind it where only Prometheus reaches). */
export async function startMetricsServer(opts: OpsOptions & { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') return void sendMetrics(opts, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: this port serves /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
