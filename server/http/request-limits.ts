import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import type { ServerConfig } from '../config.js';
import { checkRequestLimits, type QueryLimits } from './query-limits.js';

/** The limits a server enforces, from its config (docs/api.md lists them with their variables). */
export function queryLimitsFrom(config: ServerConfig): QueryLimits & { maxResponseBytes: number } {
  return {
    maxDepth: config.maxQueryDepth,
    maxCost: config.maxQueryCost,
    maxAliases: config.maxQueryAliases,
    maxDirectives: config.maxQueryDirectives,
    maxTokens: config.maxQueryTokens,
    maxStringLength: config.maxStringLength,
    maxResponseBytes: config.maxResponseBytes,
  };
}

function responseTooLarge(bytes: number, limit: number): GraphQLError {
  return new GraphQLError(`the response would be ${bytes} bytes; the limit is ${limit} (DRIFTLESS_MAX_RESPONSE_BYTES): ask for fewer items per page or fewer fields`, {
    extensions: { code: 'RESPONSE_TOO_LARGE', bytes, limit },
  });
}

/** Size of a result as it goes on the wire; undefined when it is within the limit. */
function oversized(result: ExecutionResult | FormattedExecutionResult, limit: number): number | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  return bytes > limit ? bytes : undefined;
}

/**
 * HTTP: Apollo parses with the token limit (parseOptions), validates with graphql's rules, then
 * this plugin checks the rest with the request's real variables, before anything executes. An
 * oversized result is replaced by an error instead of being sent.
 */
export function requestLimitsPlugin(schema: GraphQLSchema, limits: ReturnType<typeof queryLimitsFrom>): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const errors = checkRequestLimits(schema, limits, { document, variables: request.variables, operationName: request.operationName });
          if (errors.length) throw errors[0];
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const bytes = oversized(response.body.singleResult, limits.maxResponseBytes);
          if (bytes !== undefined) response.body.singleResult = { errors: [responseTooLarge(bytes, limits.maxResponseBytes).toJSON()] };
        },
      };
    },
  };
}

/**
 * WebSocket (ws-server.ts): the same checks once an operation is parsed and validated, with its real
 * variables, and the same response cap per message.
 */
export function wsRequestLimits(schema: GraphQLSchema, limits: ReturnType<typeof queryLimitsFrom>): WsRequestLimits {
  return {
    maxTokens: limits.maxTokens,
    check: (document, payload) => checkRequestLimits(schema, limits, { document, variables: payload.variables, operationName: payload.operationName }),
    capResult(result) {
      const bytes = oversized(result, limits.maxResponseBytes);
      if (bytes !== undefined) return { errors: [responseTooLarge(bytes, limits.maxResponseBytes)] };
    },
  };
}

export interface WsRequestLimits {
  maxTokens: number;
  check(document: DocumentNode, payload: { variables?: Record<string, unknown> | null; operationName?: string | null }): GraphQLError[];
  /** An error result in place of one that is too large to send. */
  capResult(result: ExecutionResult): ExecutionResult | void;
}
