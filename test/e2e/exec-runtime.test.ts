import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };
const EXAMPLE = readFileSync(new URL('../../examples/terraform-like/driftless.yaml', import.meta.url), 'utf8');

const INSTANCES = /* GraphQL */ `query($app: String!) {
  application(name: $app) { releaseChannels { name instances { status reasons { code message } service { name } convergedRelease { label } } } }
}`;

async function instance(server: TestServer, app: string, channel: string, service: string) {
  const data = await server.data(INSTANCES, { app });
  return data.application.releaseChannels.find((c: any) => c.name === channel).instances.find((i: any) => i.service.name === service);
}

async function converged(server: TestServer, channel: string, label: string) {
  return waitFor(async () => {
    const i = await instance(server, 'infra', channel, 'network');
    return i.status === 'CONVERGED' && i.convergedRelease?.label === label ? i : undefined;
  }, `${channel} converged on ${label}`, 20_000, 100).catch(async (err) => {
    throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await instance(server, 'infra', channel, 'network'))}`);
  });
}

async function release(server: TestServer, app: string, service: string, version: string): Promise<void> {
  const res = await server.data(CREATE_RELEASE, { application: app, service, params: { version } });
  expect(res.createRelease.userErrors).toEqual([]);
}

/** True when the pid is gone or a zombie (orphans are reaped slowly here). */
function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return ['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return true;
  }
}

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-exec-e2e-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each(DATABASES)('the exec runtime end to end (%s)', (database) => {
  it('examples/terraform-like: a release converges staging then production, state files hold it, drift is healed', { timeout: 60_000 }, async () => {
    const stateDir = tempDir();
    const config = EXAMPLE.replace('INFRA_STATE_DIR: state', `INFRA_STATE_DIR: ${stateDir}`);
    expect(config).not.toBe(EXAMPLE);
    await using server = await startTestServer({ database, engine: FAST });
    expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);

    // Read back redacted: the plugin marks every secretEnv value secret, and the server's floor
    // hides the whole map by its name; either way the value never leaves the server.
    const { runtimes } = await server.data(`{ runtimes { name plugin config } }`);
    const runtime = runtimes.find((r: any) => r.name === 'infra');
    expect(runtime).toMatchObject({ plugin: 'exec', config: { workdir: 'examples/terraform-like', env: { INFRA_STATE_DIR: stateDir } } });
    expect([JSON.stringify('<redacted>'), JSON.stringify({ INFRA_API_TOKEN: '<redacted>' })]).toContain(JSON.stringify(runtime.config.secretEnv));
    expect(JSON.stringify(runtimes)).not.toContain('example-token-not-a-real-secret');

    const stateOf = (channel: string) => JSON.parse(readFileSync(path.join(stateDir, `infra.${channel}.network.json`), 'utf8'));
    for (const version of ['v1', 'v2']) {
      await release(server, 'infra', 'network', version);
      await converged(server, 'staging', version);
      await converged(server, 'production', version);
      expect(stateOf('staging')).toMatchObject({ version, vars: { size: 'small', nodes: 1 } });
      expect(stateOf('production')).toMatchObject({ version, vars: { size: 'large', nodes: 3 } });
    }

    // Someone destroys staging's "infrastructure" by hand: the plan sees it and apply puts it back.
    unlinkSync(path.join(stateDir, 'infra.staging.network.json'));
    await waitFor(async () => existsSync(path.join(stateDir, 'infra.staging.network.json')), 'staging re-applied', 20_000, 100);
    // The tick's result (and its event) is written just after the apply: wait for it, not the file.
    const EVENTS = `{ events(application: "infra", first: 100) { nodes { type message } } }`;
    const events = await waitFor(async () => {
      const { events } = await server.data(EVENTS);
      return events.nodes.some((e: any) => e.type === 'INSTANCE_SELF_HEALED' && /in staging/.test(e.message)) ? events : undefined;
    }, 'the self-heal event', 20_000, 100);
    await converged(server, 'staging', 'v2');

    // The apply command's own words reach the history; the secret never does.
    expect(events.nodes.some((e: any) => e.type === 'INSTANCE_APPLIED' && /Apply complete: network in production updated from v1 at v2/.test(e.message))).toBe(true);
    expect(JSON.stringify(events.nodes)).not.toContain('example-token-not-a-real-secret');
  });

  it('a plan printing invalid JSON and an apply that never exits each leave a clear reason, and nothing else breaks', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, 'apply.pid');
    const broken = `
apiVersion: driftless/v1
kind: Runtime
name: scripts
plugin: exec
config: { workdir: ${JSON.stringify(dir)} }
---
apiVersion: driftless/v1
kind: Application
name: broken
releaseChannels:
  - { name: staging, runtime: scripts }
---
apiVersion: driftless/v1
kind: Service
name: garbled
application: broken
parameters: [{ name: version, type: string, required: true }]
spec:
  fetch: { command: "echo 'Error: provider crashed'", mode: structured }
  apply: { command: ["true"] }
---
apiVersion: driftless/v1
kind: Service
name: hung
application: broken
parameters: [{ name: version, type: string, required: true }]
spec:
  fetch: { command: "exit 2" }
  apply: { command: "echo $$ > apply.pid; echo 'waiting for the state lock'; exec sleep 600", timeoutSeconds: 1 }
`;
    await using server = await startTestServer({ database, engine: FAST });
    expect((await server.data(APPLY_CONFIG, { documents: broken })).applyConfig.userErrors).toEqual([]);
    await release(server, 'broken', 'garbled', 'v1');
    await release(server, 'broken', 'hung', 'v1');

    const reason = (service: string, code: string) =>
      waitFor(async () => (await instance(server, 'broken', 'staging', service)).reasons.find((r: any) => r.code === code), `${service} to show ${code}`, 20_000, 100);
    const garbled = await reason('garbled', 'FETCH_FAILED');
    expect(garbled.message).toMatch(/^plugin "exec" fetch: fetch command "echo 'Error: provider crashed'" printed invalid JSON \(.+\); first bytes: "Error: provider crashed\\n"$/);
    const hung = await reason('hung', 'APPLY_FAILED');
    expect(hung.message).toBe(
      `plugin "exec" apply: apply command "echo $$ > apply.pid; echo 'waiting for the state lock'; exec sleep 600" did not finish within 1 s; its process group was killed (output: waiting for the state lock)`,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(async () => dead(pid), 'the hung apply to be killed', 5_000, 50);

    // The server is fine, and a healthy runtime next to the broken one still converges.
    const stateDir = tempDir();
    const config = EXAMPLE.replace('INFRA_STATE_DIR: state', `INFRA_STATE_DIR: ${stateDir}`);
    expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
    await release(server, 'infra', 'network', 'v1');
    await converged(server, 'staging', 'v1');
  });
});
