// Shared pieces of the docker runtime's end-to-end suites (test/e2e/docker-*.test.ts): a Driftless
// config on the run's Engine, instance and event queries, and a sweep by the suite's label.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { CREATE_RELEASE } from './config-text.js';
import type { TestServer } from './server.js';
import { waitFor } from './wait.js';

/** The label every container of one suite carries (runtime config `labels`), for its sweep. */
export const SUITE_LABEL = 'org.driftless.test-suite';

export function suiteTag(name: string): string {
  return `${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function suiteContainers(docker: Docker, tag: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${SUITE_LABEL}=${tag}`] }) });
}

/** Last resort when a test failed before deleting its application. */
export async function sweepSuite(docker: Docker, tag: string): Promise<void> {
  await Promise.all((await suiteContainers(docker, tag)).map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

/**
 * One application with one channel on the docker runtime: the test web image tagged by the
 * release's `version`, one port per replica slot from `port`, checked over HTTP. `mode` is a
 * release parameter the service's command reads (see `args`).
 */
export function singleChannelConfig(opts: { endpoint: string; tag: string; app: string; port: number; replicas?: number; spec?: string }): string {
  return `apiVersion: driftless/v1
kind: Runtime
name: docker
plugin: docker
config:
  endpoint: ${opts.endpoint}
  network: host
  labels: { ${SUITE_LABEL}: ${opts.tag} }
---
apiVersion: driftless/v1
kind: Application
name: ${opts.app}
releaseChannels:
  - { name: staging, runtime: docker, constants: { port: ${opts.port} } }
---
apiVersion: driftless/v1
kind: Service
name: web
application: ${opts.app}
parameters:
  - { name: version, type: string, required: true }
  - { name: mode, type: string, default: serve }
spec:
  image: "driftless-test/web:{{ params.version }}"
  pull: never
  env: { VERSION: "{{ params.version }}", CHANNEL: "{{ channel.name }}", MODE: "{{ params.mode }}" }
  ports: [{ hostPort: "{{ constants.port }}" }]
  healthcheck: { http: { path: /healthz } }
  replicas: ${opts.replicas ?? 2}
  startTimeoutSeconds: 10
  stopTimeoutSeconds: 2
  # mode=broken exits at start with a log line; mode=crashloop serves for two seconds, then dies.
  args:
    - sh
    - -c
    - |
      case "$MODE" in
        broken) echo "web: starting" >&2; echo "boom: no config at /etc/web.conf" >&2; exit 3 ;;
        crashloop) echo "crash: lost the database connection, exiting" >&2; /bin/web & sleep 2; exit 1 ;;
      esac
      exec /bin/web
${opts.spec ?? ''}`;
}

export const INSTANCE = /* GraphQL */ `query($app: String!) {
  application(name: $app) { releaseChannels { name instances { status reasons { code message } convergedRelease { label } observed } } }
}`;

export async function instanceOf(server: TestServer, app: string, channel = 'staging'): Promise<any> {
  const data = await server.data(INSTANCE, { app });
  return data.application.releaseChannels.find((c: any) => c.name === channel).instances[0];
}

export async function release(server: TestServer, app: string, params: Record<string, string>): Promise<void> {
  const res = await server.data(CREATE_RELEASE, { application: app, service: 'web', params });
  if (res.createRelease.userErrors.length > 0) throw new Error(`createRelease: ${JSON.stringify(res.createRelease.userErrors)}`);
}

export async function waitStatus(server: TestServer, app: string, channel: string, status: string, label: string, ms = 60_000): Promise<any> {
  return waitFor(async () => {
    const i = await instanceOf(server, app, channel);
    return i.status === status && i.convergedRelease?.label === label ? i : undefined;
  }, `${channel} of ${app} to be ${status} on ${label}`, ms, 100).catch(async (err) => {
    throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await instanceOf(server, app, channel))}`);
  });
}

export async function events(server: TestServer, app: string): Promise<{ type: string; message: string }[]> {
  const data = await server.data(`query($app: String!) { events(application: $app, first: 500) { nodes { type message } } }`, { app });
  return data.events.nodes;
}

export async function answer(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    return (await res.text()).trim();
  } catch {
    return undefined;
  }
}
