import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Real local processes: the flaky fixture app (test/fixtures/apps/flaky) on the process runtime. */
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/flaky');

export interface ShopOptions {
  ports: { staging: number; production: number };
  stagingGates?: string[];
  productionGates?: string[];
  /** Extra env for every channel (values are YAML scalars). */
  env?: Record<string, string>;
  stabilizationWindow?: string;
  /** Leave the production channel out (removal tests). */
  withoutProduction?: boolean;
}

const gates = (list: string[] | undefined) => (list?.length ? `    gates:\n${list.map((g) => `      - ${g}`).join('\n')}\n` : '');

/** staging → production on local processes; production depends on staging. */
export function shopConfig(o: ShopOptions): string {
  const env = { VERSION: '"{{ params.version }}"', CHANNEL: '"{{ channel.name }}"', CRASH_AFTER_MS: '"{{ params.crash }}"', ...o.env };
  return `kind: Runtime
name: local
plugin: process
config: {}
---
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: local
    constants: { port: ${o.ports.staging} }
${gates(o.stagingGates)}${o.withoutProduction ? '' : `  - name: production
    runtime: local
    dependsOn: [staging]
    constants: { port: ${o.ports.production} }
${gates(o.productionGates)}`}---
kind: Service
name: web
application: shop
parameters:
  - { name: version, required: true }
  - { name: crash, default: "0" }
spec:
  command: node
  args: [server.js]
  cwd: ${APP_DIR}
  env:
${Object.entries(env).map(([k, v]) => `    ${k}: ${v}`).join('\n')}
  basePort: "{{ constants.port }}"
  replicas: 1
  healthCheck: { path: /healthz, timeoutSeconds: 5 }
${o.stabilizationWindow ? `stabilizationWindow: ${o.stabilizationWindow}\n` : ''}`;
}

export async function apply(server: TestServer, config: string): Promise<any> {
  const res = await server.data(APPLY_CONFIG, { documents: config });
  expect(res.applyConfig.userErrors).toEqual([]);
  return res.applyConfig;
}

export async function release(server: TestServer, params: Record<string, unknown>): Promise<string> {
  const res = await server.data(CREATE_RELEASE, { application: 'shop', service: 'web', params });
  expect(res.createRelease.userErrors).toEqual([]);
  return res.createRelease.release.id;
}

export interface View {
  id: string;
  status: string;
  reasons: { code: string; message: string; since: string }[];
  desiredRelease: { id: string; label: string } | null;
  targetRelease: { label: string } | null;
  convergedRelease: { label: string } | null;
}

const VIEW = `{ application(name: "shop") { releaseChannels { name instances { id status reasons { code message since } desiredRelease { id label } targetRelease { label } convergedRelease { label } } } } }`;

export async function view(server: TestServer, channel: string): Promise<View> {
  const data = await server.data(VIEW);
  return data.application.releaseChannels.find((c: any) => c.name === channel).instances[0];
}

/** Waits until `channel` matches; the error says what it was instead. */
export async function until(server: TestServer, channel: string, what: string, ok: (v: View) => boolean, timeoutMs = 30_000): Promise<View> {
  let last: View | undefined;
  return waitFor(async () => ((last = await view(server, channel)), ok(last) ? last : undefined), `${channel}: ${what}`, timeoutMs, 100).catch((err: Error) => {
    throw new Error(`${err.message}; it was ${JSON.stringify(last)}`);
  });
}

export const convergedOn = (label: string) => (v: View) => v.status === 'CONVERGED' && v.convergedRelease?.label === label;

export async function answer(port: number): Promise<string | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();
  } catch {
    return undefined;
  }
}

export async function approve(server: TestServer, releaseId: string, channel: string, token?: string): Promise<{ code: string; message: string }[]> {
  const res = await server.data(`mutation($r: ID!, $c: String!) { approveRelease(input: { release: $r, channel: $c }) { userErrors { code message } } }`, { r: releaseId, c: channel }, token);
  return res.approveRelease.userErrors;
}

export async function tokenFor(server: TestServer, name: string, role = 'deployer'): Promise<string> {
  const res = await server.data(`mutation($n: String!, $r: Role!) { createApiToken(input: { name: $n, role: $r }) { secret } }`, { n: name, r: role });
  return res.createApiToken.secret;
}

export async function events(server: TestServer): Promise<{ type: string; message: string; actor: string }[]> {
  const data = await server.data(`{ events(application: "shop", first: 500) { nodes { type message actor } } }`);
  return data.events.nodes.reverse();
}

export async function latestRelease(server: TestServer): Promise<any> {
  const data = await server.data(`{ application(name: "shop") { services { latestRelease { id label trigger configGeneration changeSummary createdBy } } } }`);
  return data.application.services[0].latestRelease;
}

/** Deletes the application and waits until nothing answers on its ports (the processes stopped). */
export async function removeShop(server: TestServer, ports: number[]): Promise<void> {
  await server.data(`mutation { deleteApplication(input: { name: "shop" }) { userErrors { message } } }`).catch(() => undefined);
  await waitFor(async () => (await Promise.all(ports.map(answer))).every((a) => a === undefined), 'the shop processes to stop', 60_000, 200);
}

/** An HTTP endpoint a test can make fail: what an httpCheck gate probes (say, a load balancer's health URL). */
export async function checkEndpoint(): Promise<{ url: string; fail(on: boolean): void; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  let failing = false;
  const server = createServer((_req, res) => res.writeHead(failing ? 503 : 200).end(failing ? 'failing' : 'ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    fail: (on) => (failing = on),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
