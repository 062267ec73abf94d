import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger.js';

/** Codes of errors that are the client's doing; their messages are safe and useful to show. */
const CLIENT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'QUERY_TOO_DEEP', 'QUERY_TOO_COSTLY', 'QUERY_TOO_LARGE', 'RESPONSE_TOO_LARGE', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE', 'UNAUTHENTICATED', 'FORBIDDEN']);

/**
 * Expected failures are user errors in payloads; anything reaching here unexpectedly is logged with
 * its stack and shown to the client as a plain "internal error" (details only in development).
 */
export function formatGraphQLError(logger: Logger, development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (CLIENT_CODES.has(code)) return development ? formatted : { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    const original = unwrapResolverError(error);
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving a GraphQL request');
    if (development) return formatted;
    return { message: 'internal error: the server logged the details', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
