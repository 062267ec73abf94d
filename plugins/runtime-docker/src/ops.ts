/**
 * The container operations apply and delete use. Each is one bounded, typed Engine interaction;
 * waits honour the abort signal.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { RetryableError, TerminalError, type InstanceIdentity } from '@driftless/plugin-sdk';
import type { Condition } from './assess.js';
import type { Replica } from './classify.js';
import { engine, engineStatus } from './client.js';
import type { DockerConfig } from './config.js';
import { createOptions, segment, type ReplicaInput } from './container-options.js';
import { LABEL } from './labels.js';
import { assessReplica, probeView, type SurveyInput } from './survey.js';
import { adoptedMarker, toView, type ContainerView } from './view.js';

const POLL_MS = 250;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    };
    const abort = () => {
      done();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Creates and starts one replica; returns its id. A missing network is terminal, with the fix. */
export async function createReplica(docker: Docker, config: DockerConfig, input: ReplicaInput, signal: AbortSignal): Promise<string> {
  const options = createOptions(input);
  const what = `creating replica ${input.slot} (${options.name})`;
  let container: Docker.Container;
  try {
    container = await engine(what, config, signal, (s) => docker.createContainer({ ...options, abortSignal: s } as Docker.ContainerCreateOptions));
  } catch (err) {
    const network = input.template.network;
    if (engineStatus(err) === 404 && /network/i.test((err as Error).message)) {
      throw new TerminalError(`network "${network}" does not exist on the Docker host at ${config.endpoint}: create it (docker network create ${network}), or set spec.network`);
    }
    if (engineStatus(err) !== 409) throw err;
    container = await sameReplica(docker, config, input, options.name!, signal);
  }
  await startContainer(docker, config, container.id, signal);
  return container.id;
}

/**
 * The name of the slot's container is taken: an earlier call that was aborted while the Engine
 * created it (the Engine finishes what it started). If that container is this very replica (same
 * instance, release and digest), it is the one to start; anything else is a conflict to retry.
 */
async function sameReplica(docker: Docker, config: DockerConfig, input: ReplicaInput, name: string, signal: AbortSignal): Promise<Docker.Container> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const info = await engine(`inspecting container ${name}`, config, signal, (s) => docker.getContainer(name).inspect({ abortSignal: s } as object));
      const labels = info.Config.Labels ?? {};
      if (labels[LABEL.instance] === input.instance.instanceId && labels[LABEL.release] === input.target.version && labels[LABEL.digest] === input.target.digest) {
        return docker.getContainer(info.Id);
      }
      break;
    } catch (err) {
      if (engineStatus(err) !== 404) throw err;
      await sleep(POLL_MS, signal); // still being created, or already removed: look again
    }
  }
  throw new RetryableError(`replica ${input.slot}'s container name ${name} is taken by another container; looking again on the next step`);
}

export async function startContainer(docker: Docker, config: DockerConfig, id: string, signal: AbortSignal): Promise<void> {
  try {
    await engine(`starting container ${id.slice(0, 12)}`, config, signal, (s) => docker.getContainer(id).start({ abortSignal: s } as object));
  } catch (err) {
    if (engineStatus(err) === 304) return; // already started
    throw err;
  }
}

/**
 * Stops (within the container's own stop timeout: Docker sends its stop signal, then SIGKILL) and
 * removes a container with its anonymous volumes. Gone already is fine.
 */
export async function removeContainer(docker: Docker, config: DockerConfig, view: Pick<ContainerView, 'id' | 'stopTimeoutSeconds'>, signal: AbortSignal): Promise<void> {
  const id = view.id;
  const container = docker.getContainer(id);
  try {
    const budget = config.requestTimeoutMs + view.stopTimeoutSeconds * 1000;
    await engine(`stopping container ${id.slice(0, 12)}`, config, signal, (s) => container.stop({ abortSignal: s } as object), budget);
  } catch (err) {
    const status = engineStatus(err);
    if (status !== 304 && status !== 404) throw err;
  }
  try {
    await engine(`removing container ${id.slice(0, 12)}`, config, signal, (s) => container.remove({ force: true, v: true, abortSignal: s } as object));
  } catch (err) {
    const status = engineStatus(err);
    // 404: gone; 409: its removal is already in progress.
    if (status !== 404 && status !== 409) throw err;
  }
}

/** Takes over an adopted container: renames it with the instance's marker (Docker cannot add labels later). */
export async function takeOver(docker: Docker, config: DockerConfig, r: Replica, instance: Pick<InstanceIdentity, 'instanceId' | 'application' | 'channel' | 'service'>, signal: AbortSignal): Promise<string> {
  const name = `${segment(instance.application)}-${segment(instance.channel)}-${segment(instance.service)}-${adoptedMarker(instance.instanceId)}-${randomBytes(2).toString('hex')}`;
  await engine(`renaming container ${r.view.name}`, config, signal, (s) => docker.getContainer(r.view.id).rename({ name, abortSignal: s } as object));
  return name;
}

/**
 * Waits until a container of the target is ready, failed, or restarting under its restart policy
 * (Docker handles that one; the caller must not wait on a crash loop). Its start timeout bounds
 * the wait (judge() turns "still starting" into failed past it); an abort ends it at once.
 */
export async function waitReady(docker: Docker, input: Omit<SurveyInput, 'docker'>, id: string): Promise<{ replica: Replica; condition: Condition }> {
  const { config, signal } = input;
  for (;;) {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await engine(`inspecting container ${id.slice(0, 12)}`, config, signal, (s) => docker.getContainer(id).inspect({ abortSignal: s } as object));
    } catch (err) {
      if (engineStatus(err) !== 404) throw err;
      throw new Error(`container ${id.slice(0, 12)} was removed while it was starting`);
    }
    const view = toView(info, input.instance.instanceId);
    const probed = await probeView(view, input.template, config, signal);
    signal.throwIfAborted();
    const replica = assessReplica(view, input, undefined, probed, (input.now ?? Date.now)());
    if (replica.condition.kind !== 'starting') return { replica, condition: replica.condition };
    if (view.state === 'created') await startContainer(docker, config, id, signal);
    await sleep(POLL_MS, signal);
  }
}
