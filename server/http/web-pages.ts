import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { packageRoot } from '../package-root.js';
import { wantsHtmlPage, wantsIdePage } from './page-navigation.js';

/**
 * The dashboard and the GraphQL IDE: static files built by `npm run build` (web/ → dist/web/).
 *
 * The pages and their assets hold no data and are served without a token; every piece of data
 * comes from /graphql, which the pages call with the token the user signs in with. Nothing here
 * reads the database or knows about a viewer.
 */
export function webDir(): string {
  return path.join(packageRoot(), 'dist', 'web');
}

// The pages load nothing from another host; the browser enforces it too. Monaco (in GraphiQL)
// injects <style> elements and runs its language services in workers.
const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const IDE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function sendPage(dir: string, file: string, csp: string, res: Response): void {
  const page = path.join(dir, file);
  if (!existsSync(page)) {
    res.status(503).type('text/plain').send('The dashboard is not built. Run `npm run build`, then reload this page.\n');
    return;
  }
  res.set({
    'Content-Security-Policy': csp,
    // A new build must show at once; the hashed assets it names are cached for good.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.sendFile(page);
}

/** Hashed bundles, fonts and icons. Public: the same bytes for everyone, no data in them. */
export function webAssets(dir = webDir()): Router {
  const router = express.Router();
  router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false }));
  router.get('/favicon.svg', (_req, res, next) => (existsSync(path.join(dir, 'favicon.svg')) ? res.sendFile(path.join(dir, 'favicon.svg')) : next()));
  return router;
}

/** GraphiQL for a browser navigating to /graphql; everything else on /graphql is the API. */
export function graphqlIdePage(dir = webDir()): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (wantsIdePage({ method: req.method, url: req.originalUrl, headers: req.headers }) ? sendPage(dir, 'graphiql.html', IDE_CSP, res) : next());
}

/** The dashboard's single page for a browser navigating to any other path (client-side routes). */
export function dashboardPage(dir = webDir()): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (wantsHtmlPage(req) ? sendPage(dir, 'index.html', DASHBOARD_CSP, res) : next());
}
