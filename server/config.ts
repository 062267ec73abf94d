import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Everything the server reads from its environment, parsed once. README lists the same variables. */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  adminToken?: string;
  pluginPath: string[];
  /** Load the runtime plugins made for tests and benchmarks (the fake runtime); never in production. */
  testPlugins: boolean;
  /** Stack traces in GraphQL errors and pretty logs; never in production. */
  development: boolean;
  logLevel: string;
  maxBodyBytes: number;
  maxQueryDepth: number;
  maxQueryCost: number;
  /** Request limits (docs/api.md, "API limits"): aliases, directives and tokens of a query. */
  maxQueryAliases: number;
  maxQueryDirectives: number;
  maxQueryTokens: number;
  /** Longest string in a variable or argument (config `documents` excepted). */
  maxStringLength: number;
  /** Largest JSON response; a bigger one is answered with RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
  /** DRIFTLESS_METRICS_PORT: /metrics open on this port (and not on the API port). */
  metricsPort?: number;
  /** DRIFTLESS_METRICS_TOKEN: a scrape secret accepted on /metrics of the API port (besides admin tokens). */
  metricsToken?: string;
  notify: { retryBaseMs: number; maxBackoffMs: number; maxAttempts: number; timeoutMs: number };
  engine: EngineConfig;
  transport: TransportConfig;
}

/** Limits on connections, so that no client (least of all one without a token) can hold the server. */
export interface TransportConfig {
  /** Headers and body of a request must arrive within this time (slow bodies are cut off). */
  requestTimeoutMs: number;
  /** Connections open at once that have not yet shown a valid token. */
  maxUnauthenticatedConnections: number;
  /** WebSockets open at once per API token. */
  maxSocketsPerToken: number;
  /** WebSocket ping interval; a socket that misses a pong is dropped. */
  wsKeepAliveMs: number;
}

export interface EngineConfig {
  /** Off only for tools that need the API without convergence. */
  enabled: boolean;
  workerThreads: number;
  steadyIntervalMs: number;
  gatePollMs: number;
  maxAttempts: number;
  fetchTimeoutMs: number;
  applyTimeoutMs: number;
  healthPollMs: number;
  /** Heap limit of each worker thread; a plugin that exceeds it loses its thread, not the server. */
  workerMemoryMb: number;
  /** How long a release must stay healthy before it counts as converged, where the config does not say. */
  stabilizationMs: number;
  /** Restarts (or heal cycles) within crashLoopWindowMs that make a crash loop. */
  crashLoopRestarts: number;
  crashLoopWindowMs: number;
  /** How long a partition stays leased to a replica without a renewal (a dead replica's partitions are taken over after this long). */
  leaseMs: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env.PORT, 4000, 'PORT'),
    dataDir: path.resolve(env.DRIFTLESS_DATA_DIR ?? '.driftless'),
    databaseUrl: env.DATABASE_URL || undefined,
    adminToken: adminTokenFrom(env),
    pluginPath: (env.DRIFTLESS_PLUGIN_PATH ?? '').split(path.delimiter).filter(Boolean),
    testPlugins: env.DRIFTLESS_TEST_PLUGINS === '1',
    development: env.NODE_ENV === 'development',
    logLevel: env.DRIFTLESS_LOG_LEVEL ?? 'info',
    maxBodyBytes: intFrom(env.DRIFTLESS_MAX_BODY_BYTES, 1024 * 1024, 'DRIFTLESS_MAX_BODY_BYTES'),
    maxQueryDepth: intFrom(env.DRIFTLESS_MAX_QUERY_DEPTH, 12, 'DRIFTLESS_MAX_QUERY_DEPTH'),
    maxQueryCost: intFrom(env.DRIFTLESS_MAX_QUERY_COST, 100_000, 'DRIFTLESS_MAX_QUERY_COST'),
    maxQueryAliases: intFrom(env.DRIFTLESS_MAX_QUERY_ALIASES, 50, 'DRIFTLESS_MAX_QUERY_ALIASES'),
    maxQueryDirectives: intFrom(env.DRIFTLESS_MAX_QUERY_DIRECTIVES, 50, 'DRIFTLESS_MAX_QUERY_DIRECTIVES'),
    maxQueryTokens: intFrom(env.DRIFTLESS_MAX_QUERY_TOKENS, 5_000, 'DRIFTLESS_MAX_QUERY_TOKENS'),
    maxStringLength: intFrom(env.DRIFTLESS_MAX_STRING_LENGTH, 16 * 1024, 'DRIFTLESS_MAX_STRING_LENGTH'),
    maxResponseBytes: intFrom(env.DRIFTLESS_MAX_RESPONSE_BYTES, 16 * 1024 * 1024, 'DRIFTLESS_MAX_RESPONSE_BYTES'),
    metricsPort: env.DRIFTLESS_METRICS_PORT ? intFrom(env.DRIFTLESS_METRICS_PORT, 0, 'DRIFTLESS_METRICS_PORT') : undefined,
    metricsToken: env.DRIFTLESS_METRICS_TOKEN || undefined,
    notify: {
      retryBaseMs: Math.max(1, intFrom(env.DRIFTLESS_NOTIFY_RETRY_BASE_MS, 1_000, 'DRIFTLESS_NOTIFY_RETRY_BASE_MS')),
      maxBackoffMs: intFrom(env.DRIFTLESS_NOTIFY_MAX_BACKOFF_MS, 5 * 60_000, 'DRIFTLESS_NOTIFY_MAX_BACKOFF_MS'),
      maxAttempts: Math.max(1, intFrom(env.DRIFTLESS_NOTIFY_MAX_ATTEMPTS, 12, 'DRIFTLESS_NOTIFY_MAX_ATTEMPTS')),
      timeoutMs: Math.max(100, intFrom(env.DRIFTLESS_NOTIFY_TIMEOUT_MS, 10_000, 'DRIFTLESS_NOTIFY_TIMEOUT_MS')),
    },
    engine: {
      enabled: env.DRIFTLESS_ENGINE !== 'off',
      workerThreads: intFrom(env.DRIFTLESS_WORKER_THREADS, 2, 'DRIFTLESS_WORKER_THREADS') || 1,
      steadyIntervalMs: intFrom(env.DRIFTLESS_STEADY_INTERVAL_MS, 30_000, 'DRIFTLESS_STEADY_INTERVAL_MS'),
      gatePollMs: intFrom(env.DRIFTLESS_GATE_POLL_MS, 5_000, 'DRIFTLESS_GATE_POLL_MS'),
      maxAttempts: intFrom(env.DRIFTLESS_MAX_APPLY_ATTEMPTS, 5, 'DRIFTLESS_MAX_APPLY_ATTEMPTS') || 1,
      fetchTimeoutMs: intFrom(env.DRIFTLESS_FETCH_TIMEOUT_MS, 10_000, 'DRIFTLESS_FETCH_TIMEOUT_MS'),
      applyTimeoutMs: intFrom(env.DRIFTLESS_APPLY_TIMEOUT_MS, 60_000, 'DRIFTLESS_APPLY_TIMEOUT_MS'),
      healthPollMs: intFrom(env.DRIFTLESS_HEALTH_POLL_MS, 2_000, 'DRIFTLESS_HEALTH_POLL_MS'),
      workerMemoryMb: Math.max(16, intFrom(env.DRIFTLESS_WORKER_MEMORY_MB, 512, 'DRIFTLESS_WORKER_MEMORY_MB')),
      stabilizationMs: intFrom(env.DRIFTLESS_STABILIZATION_MS, 30_000, 'DRIFTLESS_STABILIZATION_MS'),
      crashLoopRestarts: Math.max(1, intFrom(env.DRIFTLESS_CRASH_LOOP_RESTARTS, 3, 'DRIFTLESS_CRASH_LOOP_RESTARTS')),
      crashLoopWindowMs: intFrom(env.DRIFTLESS_CRASH_LOOP_WINDOW_MS, 5 * 60_000, 'DRIFTLESS_CRASH_LOOP_WINDOW_MS'),
      leaseMs: Math.max(1_000, intFrom(env.DRIFTLESS_LEASE_MS, 15_000, 'DRIFTLESS_LEASE_MS')),
    },
    transport: {
      requestTimeoutMs: Math.max(1000, intFrom(env.DRIFTLESS_REQUEST_TIMEOUT_MS, 15_000, 'DRIFTLESS_REQUEST_TIMEOUT_MS')),
      maxUnauthenticatedConnections: Math.max(1, intFrom(env.DRIFTLESS_MAX_UNAUTHENTICATED_CONNECTIONS, 256, 'DRIFTLESS_MAX_UNAUTHENTICATED_CONNECTIONS')),
      maxSocketsPerToken: Math.max(1, intFrom(env.DRIFTLESS_MAX_SOCKETS_PER_TOKEN, 100, 'DRIFTLESS_MAX_SOCKETS_PER_TOKEN')),
      wsKeepAliveMs: intFrom(env.DRIFTLESS_WS_KEEPALIVE_MS, 12_000, 'DRIFTLESS_WS_KEEPALIVE_MS'),
    },
  };
}

/**
 * The bootstrap admin token: DRIFTLESS_ADMIN_TOKEN_FILE (preferred: the value is never in the
 * environment) or DRIFTLESS_ADMIN_TOKEN. Read once; the variable is then removed from the process
 * environment, so no child process (a `process` workload, a plugin's command) inherits it. What
 * the kernel shows in /proc/<pid>/environ is the environment at exec and cannot be changed: use the
 * file to keep the token out of it.
 */
function adminTokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.DRIFTLESS_ADMIN_TOKEN_FILE;
  let token = env.DRIFTLESS_ADMIN_TOKEN || undefined;
  if (env === process.env) delete process.env.DRIFTLESS_ADMIN_TOKEN;
  if (file) {
    try {
      token = readFileSync(path.resolve(file), 'utf8').trim() || undefined;
    } catch (err) {
      throw new Error(`DRIFTLESS_ADMIN_TOKEN_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!token) throw new Error(`DRIFTLESS_ADMIN_TOKEN_FILE: ${file} is empty`);
  }
  return token;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}
