import type { DeleteContext } from '@driftless/plugin-sdk';
import { connect } from './client.js';
import { parseConfig, type DockerRuntimeConfig } from './config.js';
import { removeContainer } from './ops.js';
import { listInstance } from './view.js';

/**
 * Removes every container of the instance: the ones Driftless created (by label) and the ones it
 * took over (by name marker), each stopped within its stop timeout. Idempotent. Named volumes and
 * images stay: they may hold data or serve other services.
 */
export async function deleteInstance(ctx: DeleteContext<DockerRuntimeConfig>): Promise<void> {
  ctx.signal.throwIfAborted();
  const config = parseConfig(ctx.config);
  const docker = connect(config);
  const views = await listInstance(docker, config, ctx.instance, undefined, ctx.signal);
  await Promise.all(views.map((v) => removeContainer(docker, config, v, ctx.signal)));
  if (views.length > 0) ctx.logger.info(`removed ${views.length} container(s)`, { containers: views.map((v) => v.name) });
}
