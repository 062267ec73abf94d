import type { Logger } from '../logger.js';
import type { PluginHost } from '../plugin-host/index.js';
import type { RemovedInstance } from '../services/delete-objects.js';

/**
 * Asks the runtime plugin to remove what ran for a deleted instance (its optional `delete` hook),
 * in the main thread under a timeout. A failure is logged for a person to clean up; it never
 * brings the rows back.
 */
export async function removeFromRuntime(plugins: PluginHost, r: RemovedInstance, opts: { logger: Logger; dataDir?: string; timeoutMs: number }): Promise<void> {
  const loaded = plugins.get(r.plugin);
  const remove = loaded?.plugin.delete;
  if (!remove) return;
  const logger = opts.logger.child({ plugin: r.plugin, instance: `${r.application}/${r.channel}/${r.service}` });
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: Record<string, unknown>) => logger[level](data ?? {}, msg);
  try {
    await remove.call(loaded.plugin, {
      config: r.config,
      instance: { instanceId: r.instanceId, application: r.application, channel: r.channel, service: r.service, runtime: r.runtime },
      signal: AbortSignal.timeout(opts.timeoutMs),
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      dataDir: opts.dataDir,
    });
    logger.info('removed from its runtime');
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, `plugin "${r.plugin}" delete failed; remove what is left by hand`);
  }
}
