import type Docker from 'dockerode';
import { RetryableError, TerminalError } from '@driftless/plugin-sdk';
import { engine, engineMessage, engineStatus } from './client.js';
import type { DockerConfig } from './config.js';
import type { PullPolicy } from './fields.js';

export interface ImageInfo {
  id: string;
  env: string[];
}

/** What the registry says when the image is not there or not ours to pull: retrying cannot help. */
const NOT_PULLABLE = /not found|manifest unknown|pull access denied|repository does not exist|unauthorized|denied|invalid reference/i;

async function inspect(docker: Docker, config: DockerConfig, image: string, signal: AbortSignal): Promise<ImageInfo | undefined> {
  try {
    const info = await engine(`inspecting image ${image}`, config, signal, (s) => docker.getImage(image).inspect({ abortSignal: s } as object));
    return { id: info.Id, env: info.Config?.Env ?? [] };
  } catch (err) {
    if (engineStatus(err) === 404) return undefined;
    throw err;
  }
}

/** The registry an image reference names: docker.io unless its first part looks like a host. */
export function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

async function pull(docker: Docker, config: DockerConfig, image: string, signal: AbortSignal): Promise<void> {
  const auth = config.registryAuth[registryOf(image)];
  // Pulls take what they take: only the hook's own deadline bounds them.
  const stream = await engine(
    `pulling image ${image}`,
    config,
    signal,
    () => docker.pull(image, { abortSignal: signal, ...(auth ? { authconfig: { username: auth.username, password: auth.password, serveraddress: registryOf(image) } } : {}) }),
    null,
  );
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(stream, (err: Error | null) => {
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    });
  }).catch((err) => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    const said = engineMessage(err);
    if (NOT_PULLABLE.test(said)) throw new TerminalError(`cannot pull image ${image}: ${said}`);
    throw new RetryableError(`pulling image ${image} failed: ${said}`);
  });
}

/**
 * The image per the pull policy: `never` uses what the host has (missing: TerminalError naming the
 * image), `missing` pulls when absent, `always` pulls first. Returns its id and env.
 */
export async function ensureImage(docker: Docker, config: DockerConfig, image: string, policy: PullPolicy, signal: AbortSignal): Promise<ImageInfo> {
  if (policy === 'always') await pull(docker, config, image, signal);
  let info = await inspect(docker, config, image, signal);
  if (!info && policy === 'never') {
    throw new TerminalError(`image ${image} is not on the Docker host at ${config.endpoint} and pull is "never": build or load it there (docker build / docker load), or set pull: missing`);
  }
  if (!info && policy === 'missing') {
    await pull(docker, config, image, signal);
    info = await inspect(docker, config, image, signal);
  }
  if (!info) throw new RetryableError(`image ${image} is still not on the Docker host at ${config.endpoint} after pulling it`);
  return info;
}
