/**
 * One look at an instance: its containers from the Engine, each probed (when the plugin probes it)
 * and judged, then classified against the target. Reads only: fetch and apply both start here.
 */
import type Docker from 'dockerode';
import type { InstanceIdentity, TargetState } from '@driftless/plugin-sdk';
import { judge } from './assess.js';
import { adoptedSlot, classify, type Replica } from './classify.js';
import { engine, engineStatus } from './client.js';
import type { DockerConfig } from './config.js';
import { probe, type ProbeResult } from './probe.js';
import { DEFAULT_START_TIMEOUT_SECONDS } from './schema.js';
import type { ServiceTemplate } from './template.js';
import { listInstance, type ContainerView } from './view.js';

export interface SurveyInput {
  docker: Docker;
  config: DockerConfig;
  instance: Pick<InstanceIdentity, 'instanceId'>;
  target?: Pick<TargetState, 'version' | 'digest'>;
  template?: ServiceTemplate;
  signal: AbortSignal;
  /** The Engine's clock (see clock.ts); default: this machine's. */
  now?: () => number;
}

/** The id of an image on the host, or undefined when it is not there. */
export async function imageIdOf(docker: Docker, config: DockerConfig, image: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return (await engine(`inspecting image ${image}`, config, signal, (s) => docker.getImage(image).inspect({ abortSignal: s } as object))).Id;
  } catch (err) {
    if (engineStatus(err) === 404) return undefined;
    throw err;
  }
}

/**
 * Where the plugin probes a container over HTTP, if it does: Driftless's containers say so in
 * their health label; an adopted one is probed like the target's replica of the slot it serves.
 */
export function probeTargetOf(view: ContainerView, template: ServiceTemplate | undefined): { port: number; path: string } | undefined {
  if (view.managed) return view.health?.http;
  if (template?.health.kind !== 'http') return undefined;
  const slot = adoptedSlot(view, template);
  return slot === undefined ? undefined : { port: template.ports[template.health.port]!.hostPort + slot, path: template.health.path };
}

/** Probes a running container the plugin probes; undefined when it is not probed. */
export async function probeView(view: ContainerView, template: ServiceTemplate | undefined, config: DockerConfig, signal: AbortSignal): Promise<ProbeResult | undefined> {
  const where = probeTargetOf(view, template);
  if (!where || view.state !== 'running') return undefined;
  return probe(config.probeHost, where.port, where.path, signal);
}

export function assessReplica(
  view: ContainerView,
  input: Pick<SurveyInput, 'target' | 'template' | 'config'>,
  imageId: string | undefined,
  probed: ProbeResult | undefined,
  now: number,
): Replica {
  const where = probeTargetOf(view, input.template);
  const condition = judge(view, {
    ...(probed && where ? { probe: probed, probeTarget: `GET ${where.path} on ${input.config.probeHost}:${where.port}` } : {}),
    startTimeoutSeconds: view.health?.startTimeoutSeconds ?? input.template?.startTimeoutSeconds ?? DEFAULT_START_TIMEOUT_SECONDS,
    now,
  });
  return classify({ view, condition, ...(input.target ? { target: input.target } : {}), ...(input.template ? { template: input.template } : {}), ...(imageId ? { imageId } : {}) });
}

export async function survey(input: SurveyInput): Promise<Replica[]> {
  const { docker, config, instance, template, signal } = input;
  const views = await listInstance(docker, config, instance, template?.adopt, signal);
  const imageId = template && views.some((v) => !v.managed) ? await imageIdOf(docker, config, template.image, signal) : undefined;
  const probes = await Promise.all(views.map((v) => probeView(v, template, config, signal)));
  // An aborted probe reads as "unhealthy": never report or act on that.
  signal.throwIfAborted();
  const now = (input.now ?? Date.now)();
  return views.map((v, i) => assessReplica(v, input, imageId, probes[i], now));
}
