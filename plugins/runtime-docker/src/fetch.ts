import type { FetchContext, ObservedState } from '@driftless/plugin-sdk';
import { connect } from './client.js';
import { engineClock } from './clock.js';
import { parseConfig, type DockerRuntimeConfig } from './config.js';
import { formatTail, tailLines } from './logs.js';
import { observe } from './observe.js';
import { survey } from './survey.js';
import { buildTemplate } from './template.js';

/**
 * What runs for one instance, from the Engine only (containers by their Driftless labels, adopted
 * ones by name or selector): a fresh server or another worker thread sees the same. Reads, probes
 * and reads logs; never creates, starts, stops, renames or removes anything.
 */
export async function fetchState(ctx: FetchContext<DockerRuntimeConfig>): Promise<ObservedState> {
  ctx.signal.throwIfAborted();
  const config = parseConfig(ctx.config);
  const template = ctx.target ? buildTemplate({ spec: ctx.target.spec, env: ctx.target.env, config }) : undefined;
  const docker = connect(config);
  const now = await engineClock(docker, config, ctx.signal);
  const replicas = await survey({ docker, config, instance: ctx.instance, ...(ctx.target ? { target: ctx.target } : {}), ...(template ? { template } : {}), signal: ctx.signal, now });
  // At a rollout step the target should run step.replicas containers, next to the release before.
  const step = ctx.target?.step;
  const wanted = template && step ? Math.min(Math.max(0, step.replicas), template.replicas) : template?.replicas;
  const seen = observe(ctx.instance.service, replicas, ctx.target, wanted, template?.hash);
  if (!seen) return { objects: [] };
  if (seen.blame) {
    const tail = await tailLines(docker, seen.blame.view.id, ctx.signal);
    ctx.signal.throwIfAborted();
    seen.object.message = `${seen.object.message ?? ''}${formatTail(tail)}`;
  }
  return { objects: [seen.object] };
}
