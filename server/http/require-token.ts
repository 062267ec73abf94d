import type { Socket } from 'node:net';
import type { MikroORM } from '@mikro-orm/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authenticate } from '../auth/authenticate.js';
import { bearerToken } from '../auth/tokens.js';

/**
 * The API's door: a valid bearer token from the headers, or 401 with `WWW-Authenticate: Bearer`.
 * Mounted before the body parser, so a request without a token never has its body read. The token
 * is looked up on every request: a revoked one is refused on its next request, on every replica.
 */
export function requireToken(orm: MikroORM, authenticated: (socket: Socket) => void): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const token = bearerToken(req.headers.authorization);
      const result = await authenticate(orm.em.fork(), token);
      if (!result.ok) {
        res.set('WWW-Authenticate', token ? 'Bearer realm="driftless", error="invalid_token"' : 'Bearer realm="driftless"');
        res.status(401).json({ errors: [{ message: result.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
      authenticated(req.socket);
      res.locals.viewer = result.viewer;
      next();
    } catch (err) {
      next(err);
    }
  };
}
