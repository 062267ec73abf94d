import { createRequire } from 'node:module';
import type { Client } from 'graphql-ws';
import { CliError, EXIT } from './errors.js';
import type { Connection } from './settings.js';

export interface UserError {
  code: string;
  message: string;
  path: string[];
  line?: number | null;
}

const START_HINT = 'Is it running? Start it with `driftless server`, or point --server / DRIFTLESS_URL at it';
const FORBIDDEN_HINT = '`driftless whoami` shows the role and applications of the token in use; ask an admin for a token that may do this';

/**
 * The one way the CLI talks to a server: GraphQL over HTTP for queries and mutations, graphql-ws
 * for subscriptions. Transport and auth failures become CliErrors with exit code 3, so commands
 * only deal with data and user errors.
 */
export class Api {
  private ws?: Client;

  constructor(readonly connection: Connection) {}

  get url(): string {
    return this.connection.url;
  }

  private requireToken(): string {
    if (this.connection.token) return this.connection.token;
    throw new CliError('no API token given', EXIT.UNREACHABLE, 'pass --token, set DRIFTLESS_TOKEN, or run `driftless login --server URL --token T` (the server prints an admin token on its first start)');
  }

  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const token = this.requireToken();
    let res: Response;
    try {
      res = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw unreachable(this.url, err);
    }
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new CliError(`the server at ${this.url} did not answer like a Driftless server (HTTP ${res.status})`, EXIT.UNREACHABLE, 'check --server / DRIFTLESS_URL');
    }
    if (res.status === 401) {
      throw new CliError(`the server refused the token: ${body.errors?.[0]?.message ?? 'unauthenticated'}`, EXIT.UNREACHABLE, tokenHint(this.connection));
    }
    if (body.errors?.length) {
      const first = body.errors[0]!;
      const code = first.extensions?.code;
      const exit = code === 'FORBIDDEN' ? EXIT.FORBIDDEN : code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'QUERY_TOO_DEEP' || code === 'QUERY_TOO_COSTLY' ? EXIT.USAGE : EXIT.FAILURE;
      const hint = exit === EXIT.FORBIDDEN ? FORBIDDEN_HINT : /Cannot query field|Unknown (argument|type)/.test(first.message) ? 'the server may be a different Driftless version than this CLI' : undefined;
      throw new CliError(`the server answered with an error: ${first.message}`, exit, hint);
    }
    if (!res.ok || !body.data) throw new CliError(`the server answered HTTP ${res.status} without data`, EXIT.FAILURE);
    return body.data;
  }

  /**
   * Calls `next` for every payload until the returned function is called. Transport failures go to
   * `fail` as CliErrors. graphql-ws does not acknowledge a subscription, so callers refetch state
   * after subscribing and treat payloads as fresher copies of it.
   */
  subscribe<T = any>(query: string, variables: Record<string, unknown>, next: (data: T) => void, fail: (err: CliError) => void): () => void {
    const token = this.requireToken();
    // Loaded on first use: most commands never subscribe, and every CLI call should start fast.
    const require = createRequire(import.meta.url);
    const { createClient } = require('graphql-ws') as typeof import('graphql-ws');
    const WebSocket = require('ws') as typeof import('ws');
    this.ws ??= createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 5,
      shouldRetry: (event) => !(isClose(event) && event.code === 4403),
      lazy: true,
    });
    return this.ws.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) fail(new CliError(`subscription refused: ${result.errors[0]!.message}`, EXIT.FAILURE));
          else if (result.data) next(result.data as T);
        },
        error: (err) => fail(subscriptionError(this.url, this.connection, err)),
        complete: () => undefined,
      },
    );
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}

function isClose(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';
}

function subscriptionError(url: string, connection: Connection, err: unknown): CliError {
  if (isClose(err)) {
    if (err.code === 4403) return new CliError('the server refused the token for a live subscription', EXIT.UNREACHABLE, tokenHint(connection));
    return new CliError(`the live connection to ${url} closed (${err.code}${err.reason ? `: ${err.reason}` : ''})`, EXIT.UNREACHABLE, START_HINT);
  }
  if (Array.isArray(err)) return new CliError(`subscription refused: ${(err[0] as { message?: string })?.message ?? 'unknown error'}`, EXIT.FAILURE);
  return unreachable(url, err);
}

function tokenHint(connection: Connection): string {
  const from = { flag: 'the --token flag', env: 'DRIFTLESS_TOKEN', config: 'the token saved by `driftless login`', none: 'DRIFTLESS_TOKEN' }[connection.tokenSource];
  return `Check ${from}, or run \`driftless login --server URL --token T\``;
}

/** fetch() hides the socket error in `cause`; name the usual ones in words. */
function unreachable(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (err as { code?: string })?.code;
  const why =
    code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found'
    : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connection timed out'
    : code === 'ECONNRESET' ? 'connection reset'
    : (cause?.message ?? (err as Error)?.message ?? String(err));
  return new CliError(`cannot reach the Driftless server at ${url}: ${why}`, EXIT.UNREACHABLE, START_HINT);
}

/**
 * Mutation payloads carry expected failures as user errors. FORBIDDEN is what the token may not do
 * (exit 4), STALE and IN_USE are conflicts of the moment (exit 1), everything else is wrong input
 * (exit 2).
 */
export function failOnUserErrors(errors: UserError[], what: string, format: (e: UserError) => string = formatUserError): void {
  if (!errors.length) return;
  const codes = new Set(errors.map((e) => e.code));
  const exit = codes.has('FORBIDDEN') ? EXIT.FORBIDDEN : codes.has('STALE') || codes.has('IN_USE') ? EXIT.FAILURE : EXIT.USAGE;
  const hint = codes.has('FORBIDDEN') ? FORBIDDEN_HINT : undefined;
  if (errors.length === 1) throw new CliError(`${what}: ${format(errors[0]!)}`, exit, hint);
  throw new CliError(`${what}: ${errors.length} errors`, exit, hint, errors.map((e) => `  ${format(e)}`));
}


export function formatUserError(e: UserError): string {
  return e.message;
}
