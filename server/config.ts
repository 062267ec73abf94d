import path from 'node:path';

/** Everything the server reads from its environment, parsed once. README lists the same variables. */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  adminToken?: string;
  pluginPath: string[];
  /** Stack traces in GraphQL errors and pretty logs; never in production. */
  development: boolean;
  logLevel: string;
  maxBodyBytes: number;
  maxQueryDepth: number;
  maxQueryCost: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env.PORT, 4000, 'PORT'),
    dataDir: path.resolve(env.DRIFTLESS_DATA_DIR ?? '.driftless'),
    databaseUrl: env.DATABASE_URL || undefined,
    adminToken: env.DRIFTLESS_ADMIN_TOKEN || undefined,
    pluginPath: (env.DRIFTLESS_PLUGIN_PATH ?? '').split(path.delimiter).filter(Boolean),
    development: env.NODE_ENV === 'development',
    logLevel: env.DRIFTLESS_LOG_LEVEL ?? 'info',
    maxBodyBytes: intFrom(env.DRIFTLESS_MAX_BODY_BYTES, 1024 * 1024, 'DRIFTLESS_MAX_BODY_BYTES'),
    maxQueryDepth: intFrom(env.DRIFTLESS_MAX_QUERY_DEPTH, 12, 'DRIFTLESS_MAX_QUERY_DEPTH'),
    maxQueryCost: intFrom(env.DRIFTLESS_MAX_QUERY_COST, 50_000, 'DRIFTLESS_MAX_QUERY_COST'),
  };
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}
