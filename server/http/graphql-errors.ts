import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger.js';

/** Codes of errors that are the client's doing; their messages are safe and useful to show. */
export const CLIENT_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'QUERY_TOO_LARGE',
  'RESPONSE_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_VERSION_UNSUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

/**
 * Apollo answers these two persisted-query mistakes with status 400 but no code, which would make
 * them look internal. Its messages are fixed strings; matching them is the only handle it gives.
 */
const PERSISTED_QUERY_MESSAGES: Record<string, { code: string; message: string }> = {
  'Unsupported persisted query version': { code: 'PERSISTED_QUERY_VERSION_UNSUPPORTED', message: 'unsupported persisted query version: only version 1 exists' },
  'provided sha does not match query': { code: 'PERSISTED_QUERY_HASH_MISMATCH', message: 'persistedQuery.sha256Hash is not the SHA-256 of the query sent with it' },
};

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * The one place that decides what a client sees of an error, for HTTP (Apollo's formatError) and
 * WebSocket (ws-server.ts) alike. Client errors keep their message and code, with the specific code
 * of a rule that refused the query (QUERY_TOO_DEEP rather than Apollo's generic
 * GRAPHQL_VALIDATION_FAILED). Anything else is unexpected: logged with its stack, shown as a plain
 * "internal error" (details only in development).
 */
export function formatGraphQLError(logger: Logger, development: boolean): ErrorFormatter {
  return (formatted, error) => {
    const persisted = PERSISTED_QUERY_MESSAGES[formatted.message];
    if (persisted && !formatted.path) {
      logger.debug({ code: persisted.code }, 'refused a persisted query');
      return { message: persisted.message, extensions: { code: persisted.code } };
    }
    const code = specificCode(error) ?? String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (CLIENT_CODES.has(code)) {
      logger.debug({ code, message: formatted.message }, 'a GraphQL request failed on the client\'s side');
      if (development) return { ...formatted, extensions: { ...formatted.extensions, code } };
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    const original = unwrapResolverError(error);
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving a GraphQL request');
    if (development) return formatted;
    return { message: 'internal error: the server logged the details', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** A validation rule's own client code, under Apollo's wrapper (whose originalError is the rule's error). */
function specificCode(error: unknown): string | undefined {
  const inner = error instanceof GraphQLError ? error.originalError : undefined;
  const code = inner instanceof GraphQLError ? inner.extensions?.code : undefined;
  return typeof code === 'string' && CLIENT_CODES.has(code) ? code : undefined;
}

/**
 * Errors of a request that never executed (parse, validation, variables), for a transport that does
 * not tag them itself: the same codes Apollo gives them over HTTP. A rule's own code stays.
 */
export function withCode(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((e) => {
    const own = e.extensions?.code;
    return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, originalError: e, extensions: { ...e.extensions, code: typeof own === 'string' ? own : code } });
  });
}

/** Errors as a client sees them, through the one formatter. */
export function formatErrors(format: ErrorFormatter, errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((e) => format(e.toJSON(), e));
}
