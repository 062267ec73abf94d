import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../../helpers/config-text.js';
import { freePortRange } from '../../helpers/ports.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { ensureWebBuilt } from './web-build.js';

export const FAST = { steadyIntervalMs: 500, gatePollMs: 200, healthPollMs: 200 };

export interface HelloServer {
  server: TestServer;
  stagingPort: number;
  productionPort: number;
  close(): Promise<void>;
}

/**
 * A real server on port 0 with examples/hello applied on free ports (real local processes), the
 * dashboard built. `close` deletes the application first, which stops its processes.
 */
export async function startHelloServer(options: { config?: string; engine?: Record<string, number> } = {}): Promise<HelloServer> {
  await ensureWebBuilt();
  const stagingPort = await freePortRange(1);
  const productionPort = await freePortRange(2);
  const config = (options.config ?? HELLO_CONFIG).replace('port: 8100', `port: ${stagingPort}`).replace('port: 8200', `port: ${productionPort}`);
  const server = await startTestServer({ engine: { ...FAST, ...options.engine } });
  try {
    const applied = await server.data(APPLY_CONFIG, { documents: config });
    expect(applied.applyConfig.userErrors).toEqual([]);
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    stagingPort,
    productionPort,
    close: async () => {
      await stopApplications(server, stagingPort, productionPort, productionPort + 1);
      await server.close();
    },
  };
}

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`);
    return true;
  } catch {
    return false;
  }
}

/** Deletes every application (their processes stop) and waits until the ports are quiet. */
export async function stopApplications(server: TestServer, ...ports: number[]): Promise<void> {
  const apps = await server.data(`{ applications { nodes { name } } }`);
  for (const { name } of apps.applications.nodes) await server.data(`mutation($n: String!) { deleteApplication(input: { name: $n }) { userErrors { message } } }`, { n: name });
  for (const port of ports) await waitFor(async () => !(await answers(port)), `the process on port ${port} to stop`, 20_000, 200);
}

export async function release(server: TestServer, version: string, application = 'hello', service = 'web'): Promise<string> {
  const res = await server.data(CREATE_RELEASE, { application, service, params: { version } });
  expect(res.createRelease.userErrors).toEqual([]);
  return res.createRelease.release.id;
}

export async function createToken(server: TestServer, name: string, role: 'admin' | 'deployer' | 'viewer', applications?: string[]): Promise<{ id: string; secret: string }> {
  const res = await server.data(`mutation($n: String!, $r: Role!, $a: [String!]) { createApiToken(input: { name: $n, role: $r, applications: $a }) { secret apiToken { id } userErrors { message } } }`, { n: name, r: role, a: applications ?? null });
  expect(res.createApiToken.userErrors).toEqual([]);
  return { id: res.createApiToken.apiToken.id, secret: res.createApiToken.secret };
}

export async function instanceOf(server: TestServer, channel: string, application = 'hello') {
  const data = await server.data(`query($a: String!) { application(name: $a) { releaseChannels { name instances { status reasons { code message } convergedRelease { label } desiredRelease { id label } } } } }`, { a: application });
  return data.application.releaseChannels.find((c: { name: string }) => c.name === channel).instances[0];
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, url: string, token: string, path = '/'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
