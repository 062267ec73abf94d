import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import { ensureAdminToken } from './auth/bootstrap.js';
import type { ServerConfig } from './config.js';
import { startHttpServer } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { redactByName } from './redact.js';
import { openStore, type Store } from './store/orm.js';
import { driftlessSchema } from '../schema/build-schema.js';
import type { ServerHooks } from '../schema/context.js';

export interface Driftless {
  url: string;
  port: number;
  store: Store;
  /** Set on the first start of an empty database when no DRIFTLESS_ADMIN_TOKEN was given. */
  generatedAdminToken?: string;
  /** Emits 'intentChanged' (applicationIds) after mutations that change what should run. */
  intents: EventEmitter;
  logger: Logger;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens the store (running migrations), makes sure an admin can log in, serves the API. */
export async function startDriftless(config: ServerConfig, options: { logger?: Logger } = {}): Promise<Driftless> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { printed } = await ensureAdminToken(store.orm.em.fork(), config.adminToken);
    const intents = new EventEmitter();
    const hooks: ServerHooks = {
      intentChanged: (applicationIds) => intents.emit('intentChanged', applicationIds),
      redactRuntimeConfig: (_plugin, cfg) => redactByName(cfg),
    };
    const http = await startHttpServer({ config, orm: store.orm, schema: await driftlessSchema(), hooks, logger });
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${http.port}`;
    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        await http.close();
        await store.close();
      })());
    return { url, port: http.port, store, generatedAdminToken: printed, intents, logger, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await store.close();
    throw err;
  }
}
