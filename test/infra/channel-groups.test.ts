import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { answer } from '../safety/shop.js';

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/flaky');
const APPS = ['shop', 'blog'];

function runtime(name: string, labels: Record<string, string>, ports: Record<string, number>): string {
  return `kind: Runtime
name: ${name}
plugin: process
labels: { ${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')} }
constants: { ${Object.entries(ports).map(([k, v]) => `${k}Port: ${v}`).join(', ')} }
---
`;
}

/** Two applications, each: staging written out, one production channel per runtime labelled tier=prod. */
function apps(): string {
  return APPS.map(
    (app) => `kind: Application
name: ${app}
releaseChannels:
  - name: staging
    runtime: staging
releaseChannelGroups:
  - name: "prod-{{ runtime.labels.region }}"
    runtimes: { tier: prod }
    dependsOn: [staging]
    gates:
      - manualApproval: { minApprovers: 1 }
---
kind: Service
name: ${app}-web
application: ${app}
parameters: [{ name: version, required: true }]
spec:
  command: node
  args: [server.js]
  cwd: ${APP_DIR}
  env: { VERSION: "{{ params.version }}", CHANNEL: "{{ channel.name }}" }
  basePort: "{{ runtime.constants.${app}Port }}"
  replicas: 1
  healthCheck: { path: /healthz, timeoutSeconds: 5 }
`,
  ).join('---\n');
}

async function channels(server: TestServer, app: string): Promise<Record<string, { status: string; on?: string; desired?: string; code?: string }>> {
  const d = await server.data(`query($a: String!) { application(name: $a) { releaseChannels { name instances { status convergedRelease { label } desiredRelease { label } reasons { code } } } } }`, { a: app });
  return Object.fromEntries(d.application.releaseChannels.map((c: any) => [c.name, { status: c.instances[0]?.status, on: c.instances[0]?.convergedRelease?.label, desired: c.instances[0]?.desiredRelease?.label, code: c.instances[0]?.reasons[0]?.code }]));
}

async function approveWaiting(server: TestServer, app: string, channel: string): Promise<void> {
  const d = await server.data(`query($a: String!) { application(name: $a) { releaseChannels { name instances { nextRelease { id } } } } }`, { a: app });
  const id = d.application.releaseChannels.find((c: any) => c.name === channel).instances[0].nextRelease.id;
  const res = await server.data(`mutation($r: ID!, $c: String!) { approveRelease(input: { release: $r, channel: $c }) { userErrors { message } } }`, { r: id, c: channel });
  expect(res.approveRelease.userErrors).toEqual([]);
}

describe.each(DATABASES)('infrastructure intent: channel groups from runtime labels (%s)', (database) => {
  it('a new Runtime with matching labels adds its channel to every application using the group, which gets the latest release through its gates; deleting it removes those workloads', { timeout: 180_000 }, async () => {
    const ports: Record<string, Record<string, number>> = {};
    for (const r of ['staging', 'prod-us', 'prod-eu']) ports[r] = Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await freePortRange(1)] as const)));
    await using server = await startTestServer({ database, engine: { steadyIntervalMs: 400, gatePollMs: 150 } });
    const base = runtime('staging', { tier: 'staging' }, ports.staging!) + runtime('prod-us', { tier: 'prod', region: 'us-east' }, ports['prod-us']!);
    try {
      expect((await server.data(APPLY_CONFIG, { documents: base + apps() })).applyConfig.userErrors).toEqual([]);
      for (const app of APPS) {
        expect((await server.data(CREATE_RELEASE, { application: app, service: `${app}-web`, params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
        expect(Object.keys(await channels(server, app))).toEqual(['staging', 'prod-us-east']);
      }
      for (const app of APPS) {
        await waitFor(async () => (await channels(server, app))['prod-us-east']!.code === 'AWAITING_APPROVAL', `${app}/prod-us-east to wait for approval`);
        await approveWaiting(server, app, 'prod-us-east');
        await waitFor(async () => (await channels(server, app))['prod-us-east']!.on === 'v1', `${app} converged in prod-us-east`, 30_000);
      }

      // One more Runtime document: a new region.
      const added = await server.data(APPLY_CONFIG, { documents: runtime('prod-eu', { tier: 'prod', region: 'eu-west' }, ports['prod-eu']!).replace(/---\n$/, '') });
      expect(added.applyConfig.userErrors).toEqual([]);
      for (const app of APPS) {
        const now = await channels(server, app);
        expect(Object.keys(now)).toEqual(['staging', 'prod-eu-west', 'prod-us-east']);
        // Nothing is deployed there without its gates: it waits for an approval of the latest release.
        await waitFor(async () => (await channels(server, app))['prod-eu-west']!.code === 'AWAITING_APPROVAL', `${app}/prod-eu-west to wait for approval`);
        expect(await answer(ports['prod-eu']![app]!)).toBeUndefined();
        await approveWaiting(server, app, 'prod-eu-west');
        await waitFor(async () => (await channels(server, app))['prod-eu-west']!.on?.startsWith('v1'), `${app} converged in prod-eu-west`, 30_000);
        expect(await answer(ports['prod-eu']![app]!)).toBe('hello from v1 in prod-eu-west');
        // The regions that were there already were not touched.
        expect((await channels(server, app))['prod-us-east']!.status).toBe('CONVERGED');
      }

      const deleted = await server.data(`mutation { deleteRuntime(input: { name: "prod-eu" }) { userErrors { code message } } }`);
      expect(deleted.deleteRuntime.userErrors).toEqual([]);
      for (const app of APPS) {
        await waitFor(async () => (await answer(ports['prod-eu']![app]!)) === undefined, `${app} in prod-eu-west to stop`, 30_000);
        expect(Object.keys(await channels(server, app))).toEqual(['staging', 'prod-us-east']);
      }
      await waitFor(async () => !(await server.data(`{ runtimes { name } }`)).runtimes.some((r: any) => r.name === 'prod-eu'), 'the runtime to go once its workloads are removed');
    } finally {
      for (const app of APPS) await server.data(`mutation($n: String!) { deleteApplication(input: { name: $n }) { userErrors { message } } }`, { n: app });
      await waitFor(async () => (await Promise.all(Object.values(ports).flatMap((p) => Object.values(p)).map(answer))).every((a) => a === undefined), 'every process to stop', 30_000, 200);
    }
  });
});
