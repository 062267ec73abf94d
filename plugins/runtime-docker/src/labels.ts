/**
 * The labels Driftless puts on every container it creates. They are the plugin's only memory:
 * fetch finds an instance's containers by `instance`, tells releases apart by `release` and
 * `digest`, and sees hand edits by comparing the container with `expect`.
 * `docker ps --filter label=io.driftless.application=shop` lists what Driftless runs.
 */
export const LABEL = {
  instance: 'io.driftless.instance',
  application: 'io.driftless.application',
  channel: 'io.driftless.channel',
  service: 'io.driftless.service',
  runtime: 'io.driftless.runtime',
  /** TargetState.version the container was created for (the release id). */
  release: 'io.driftless.release',
  /** TargetState.digest at creation: the same release with another digest is drifted. */
  digest: 'io.driftless.digest',
  /** Replica slot: the container's ports are hostPort + slot; unique among the instance's containers. */
  slot: 'io.driftless.slot',
  /** Restarts of the replicas this one replaced after they crashed (so `restarts` stays cumulative). */
  restarts: 'io.driftless.restarts',
  /** Hash of the resolved service template (spec + compose file) the container was created from. */
  config: 'io.driftless.config',
  /** What Driftless set on the container, as hashes (see expect.ts): the yardstick for hand edits. */
  expect: 'io.driftless.expect',
  /** How readiness is judged for this container: the plugin's HTTP probe, the start timeout. */
  health: 'io.driftless.health',
} as const;

/** Compose's labels on the containers `docker compose up` starts. */
export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  oneoff: 'com.docker.compose.oneoff',
} as const;

export function isDriftlessLabel(name: string): boolean {
  return name.startsWith('io.driftless.');
}
