import 'reflect-metadata';
import { ensureAdminToken } from './auth/bootstrap.js';
import { packageRoot } from './package-root.js';
export { packageRoot } from './package-root.js';
import type { ServerConfig } from './config.js';
import { createLivePubSub, type LivePubSub } from './domain/live.js';
import { bridgeLiveToPostgres } from './domain/live-postgres.js';
import { Engine } from './engine/engine.js';
import { startHttpServer } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { DriftlessMetrics } from './ops/metrics.js';
import { engineObserver } from './ops/engine-observer.js';
import { opsHttp } from './ops/ops-http.js';
import { Notifications } from './notify/notifications.js';
import { configureSealing } from './notify/secret-values.js';
import { serverIdentity } from './engine/server-identity.js';
import { startMetricsServer } from './ops/routes.js';
import { PluginHost } from './plugin-host/index.js';
import { redactByName } from './redact.js';
import { pluginValidator } from './services/plugin-validation.js';
import { openStore, type Store } from './store/orm.js';
import { loadSecretBox } from './secrets/seal.js';
import { KnownSecrets } from './secrets/scrub.js';
import { RuntimeSecrets } from './secrets/runtime-secrets.js';
import { sealStoredSecrets } from './secrets/seal-stored.js';
import { createTickPool } from '../worker/pool.js';
import { driftlessSchema } from '../schema/build-schema.js';
import type { ServerHooks } from '../schema/context.js';

export interface Driftless {
  url: string;
  port: number;
  store: Store;
  plugins: PluginHost;
  engine?: Engine;
  live: LivePubSub;
  metrics: DriftlessMetrics;
  /** The port of the separate metrics server (DRIFTLESS_METRICS_PORT), when there is one. */
  metricsPort?: number;
  /** Set on the first start of an empty database when no DRIFTLESS_ADMIN_TOKEN was given. */
  generatedAdminToken?: string;
  logger: Logger;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Injectable clock for the engine (tests move time for windows and soaks). */
  now?: () => number;
  /** Where DRIFTLESS_SECRET_KEY(_FILE) are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Opens the store (running migrations), loads plugins, starts the engine and serves the API. */
export async function startDriftless(config: ServerConfig, options: StartOptions = {}): Promise<Driftless> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Before anything else: a bad key setting must stop the start, not surface at the first apply.
  const box = loadSecretBox({ dataDir: config.dataDir, env: options.env });
  const known = new KnownSecrets();
  known.add([config.adminToken]);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => logger.error({ err }, 'error while shutting down'));
  };
  try {
    const { printed } = await ensureAdminToken(store.orm.em.fork(), config.adminToken);
    const plugins = await PluginHost.discover({ roots: [packageRoot()], pluginPath: config.pluginPath, testPlugins: config.testPlugins, logger });
    for (const p of plugins.list()) {
      if (p.status === 'REFUSED') logger.warn({ plugin: p.name, package: p.packageName, reason: p.reason }, 'runtime plugin refused');
    }
    const secrets = new RuntimeSecrets(box, (plugin) => plugins.get(plugin)?.plugin.configSchema, known);
    const sealed = await sealStoredSecrets(store.orm.em.fork(), box, (plugin) => plugins.get(plugin)?.plugin.configSchema);
    if (sealed.values > 0) logger.info({ runtimes: sealed.runtimes, values: sealed.values }, 'sealed runtime secrets with the current key');
    if (box.source.kind === 'file' && box.source.generated) {
      logger.info({ file: box.source.path }, 'generated the secret key (keep it: without it, stored secrets cannot be read)');
      // Replicas share the database, not the data directory: each would seal with a key of its own.
      if (store.kind === 'postgresql') logger.warn({ file: box.source.path }, 'every server replica needs the same secret key: give them this file through DRIFTLESS_SECRET_KEY_FILE (or DRIFTLESS_SECRET_KEY)');
    }
    const live = createLivePubSub();
    const metrics = new DriftlessMetrics({ orm: store.orm });
    configureSealing(box);
    const notifications = new Notifications({ orm: store.orm, kind: store.kind, owner: serverIdentity(config.dataDir), logger, settings: config.notify, onResult: (result) => metrics.notificationDeliveries.inc({ result }) });
    await notifications.start();
    cleanups.push(() => notifications.stop());
    if (store.kind === 'postgresql' && config.databaseUrl) {
      const stopBridge = await bridgeLiveToPostgres(live, config.databaseUrl, logger);
      cleanups.push(stopBridge);
    }
    let engine: Engine | undefined;
    if (config.engine.enabled) {
      const pool = createTickPool({
        maxThreads: config.engine.workerThreads,
        // Keep every thread up: a thread replaced after a blocking plugin is then restarted at once.
        minThreads: config.engine.workerThreads,
        memoryLimitMb: config.engine.workerMemoryMb,
        onThreadError: (err) => logger.error({ err }, 'a worker thread failed outside a tick; it was replaced'),
      });
      cleanups.push(() => pool.close());
      engine = new Engine({
        orm: store.orm,
        kind: store.kind,
        reads: store.reader?.execute,
        plugins,
        pool,
        live,
        logger,
        now: options.now,
        settings: {
          steadyIntervalMs: config.engine.steadyIntervalMs,
          gatePollMs: config.engine.gatePollMs,
          maxAttempts: config.engine.maxAttempts,
          stabilizationMs: config.engine.stabilizationMs,
          crashLoopRestarts: config.engine.crashLoopRestarts,
          crashLoopWindowMs: config.engine.crashLoopWindowMs,
        },
        timeouts: { fetchMs: config.engine.fetchTimeoutMs, applyMs: config.engine.applyTimeoutMs },
        healthPollMs: config.engine.healthPollMs,
        leaseMs: config.engine.leaseMs,
        dataDir: config.dataDir,
        observer: engineObserver(metrics, { logger, onEvents: () => notifications.eventsWritten() }),
        outbox: notifications.outbox,
        secrets,
      });
      await engine.start();
      const running = engine;
      cleanups.push(() => running.stop());
    }
    const hooks: ServerHooks = {
      intentChanged: (applicationIds) => {
        engine?.intentChanged(applicationIds).catch((err: unknown) => logger.error({ err }, 'could not wake the engine'));
      },
      redactRuntimeConfig: (plugin, cfg) => redactByName(plugins.redactConfig(plugin, cfg)),
      validatePlugins: pluginValidator(plugins, (c) => secrets.open(c)),
      live,
      engine,
      plugins,
      notifications,
      notifiersChanged: () => notifications.notifiersChanged(),
      secrets,
    };
    const opsOptions = {
      metrics,
      orm: store.orm,
      logger,
      metricsPort: config.metricsPort,
      metricsToken: config.metricsToken,
      // A loop iteration may wait for a whole batch: up to one fetch and one apply timeout.
      readiness: { orm: store.orm, plugins, engine, engineStallMs: config.engine.fetchTimeoutMs + config.engine.applyTimeoutMs + 15_000 },
    };
    const http = await startHttpServer({ config, orm: store.orm, schema: await driftlessSchema(), hooks, logger, ops: opsHttp(opsOptions) });
    cleanups.push(() => http.close());
    let metricsPort: number | undefined;
    if (config.metricsPort !== undefined) {
      const metricsServer = await startMetricsServer({ ...opsOptions, host: config.host, port: config.metricsPort });
      cleanups.push(() => metricsServer.close());
      metricsPort = metricsServer.port;
    }
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${http.port}`;
    let closed: Promise<void> | undefined;
    const close = () => (closed ??= closeAll());
    return { url, port: http.port, store, plugins, engine, live, metrics, metricsPort, generatedAdminToken: printed, logger, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
