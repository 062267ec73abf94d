import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startDriftless, type Driftless } from '../../server/app.js';
import { configFromEnv, type ServerConfig } from '../../server/config.js';
import { createPostgresDatabase, type DatabaseKind } from './databases.js';

export const ADMIN_TOKEN = 'dl_test_admin_token_0123456789abcdefghijklmnopqrstu';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface TestServer {
  driftless: Driftless;
  url: string;
  dataDir: string;
  /** POST a GraphQL operation; token defaults to the admin token, `null` sends none. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on top-level errors and returns data. */
  data<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A real server on port 0 with a real database, talked to over HTTP like any client. */
export async function startTestServer(
  options: { database?: DatabaseKind; config?: Partial<ServerConfig>; engine?: Partial<ServerConfig['engine']>; dataDir?: string; databaseUrl?: string; now?: () => number; logger?: import('pino').Logger } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'driftless-test-'));
  const pgDb = options.database === 'postgresql' && !options.databaseUrl ? await createPostgresDatabase() : undefined;
  const defaults = configFromEnv({});
  const config: ServerConfig = {
    ...defaults,
    port: 0,
    dataDir,
    adminToken: ADMIN_TOKEN,
    // Tests deploy to the fake runtime; a production server never loads it.
    testPlugins: true,
    databaseUrl: options.databaseUrl ?? pgDb?.url,
    ...options.config,
    // No stabilization window unless a test asks for one: most tests are about something else,
    // and the ones about stability set it in their config or here.
    engine: { ...defaults.engine, stabilizationMs: 0, ...options.config?.engine, ...options.engine },
  };
  const driftless = await startDriftless(config, { logger: options.logger ?? pino({ level: process.env.DRIFTLESS_TEST_LOG ?? 'silent' }), now: options.now });
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${driftless.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GraphQLResponse<T>;
    return { ...body, status: res.status };
  };
  const data = async <T>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T> => {
    const res = await gql<T>(query, variables, token);
    if (res.errors?.length || res.status !== 200) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(res.errors)}`);
    return res.data!;
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await driftless.close();
      await pgDb?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    })());
  return { driftless, url: driftless.url, dataDir, gql, data, close, [Symbol.asyncDispose]: close };
}
