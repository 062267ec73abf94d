import type Docker from 'dockerode';
import { engine } from './client.js';
import type { DockerConfig } from './config.js';

/**
 * "Now" on the Engine's clock, in ms. Container start times come from the daemon, so judging
 * "running for a second" or "not healthy within startTimeoutSeconds" against this server's clock
 * would be off by the skew of a remote host's clock (minutes, on a badly kept VM). A local socket
 * shares this machine's clock; a remote daemon's is read once per call from /info.
 */
export async function engineClock(docker: Docker, config: DockerConfig, signal: AbortSignal): Promise<() => number> {
  if (config.modem.socketPath) return Date.now;
  const asked = Date.now();
  const info = (await engine('connecting', config, signal, (s) => (docker.info as (opts: object) => Promise<unknown>)({ abortSignal: s }))) as { SystemTime?: string };
  const theirs = info.SystemTime ? Date.parse(info.SystemTime) : NaN;
  if (!Number.isFinite(theirs)) return Date.now;
  // Half the round trip is the best guess of when the daemon read its clock.
  const skew = theirs - (asked + (Date.now() - asked) / 2);
  return () => Date.now() + skew;
}
