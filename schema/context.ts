import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../server/auth/viewer.js';
import type { PluginConfigValidator } from '../server/services/apply-config.js';
import type { LivePubSub } from '../server/domain/live.js';
import type { Engine } from '../server/engine/engine.js';
import type { PluginHost } from '../server/plugin-host/index.js';
import type { Loaders } from './loaders.js';
import type { RuntimeSecrets } from '../server/secrets/runtime-secrets.js';

/** Hooks the server wires in; the schema knows nothing about the engine or the plugin host. */
export interface ServerHooks {
  /** Called after a mutation changed the intent of these applications (wakes the engine). */
  intentChanged(applicationIds: string[]): void;
  redactRuntimeConfig(plugin: string, config: Record<string, unknown>): Record<string, unknown>;
  validatePlugins?: PluginConfigValidator;
  live: LivePubSub;
  engine?: Engine;
  plugins: PluginHost;
  /** A Notifier was applied: reload what the engine matches events against. */
  notifiersChanged?(): void;
  /** Notifications: test-sends and the delivery log (server/notify). */
  notifications?: import('../server/notify/notifications.js').Notifications;
  /** Seals the secrets of applied Runtime configs (absent in tools that run without a key). */
  secrets?: RuntimeSecrets;
}

export interface GraphQLContext {
  /** Forked per request: one unit of work each. */
  em: EntityManager;
  viewer: Viewer;
  loaders: Loaders;
  hooks: ServerHooks;
}
