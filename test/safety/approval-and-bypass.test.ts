import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { fakeConfig, instances, release, waitForChannel, waitForReason } from '../helpers/fake-config.js';
import { waitFor } from '../helpers/wait.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

afterEach(async () => {
  await control.reset();
});

async function token(server: TestServer, name: string, role: string): Promise<string> {
  return (await server.data(`mutation($n: String!, $r: Role!) { createApiToken(input: { name: $n, role: $r }) { secret } }`, { n: name, r: role })).createApiToken.secret;
}

async function applyAs(server: TestServer, config: string, secret?: string): Promise<void> {
  const res = await server.data(APPLY_CONFIG, { documents: config }, secret);
  expect(res.applyConfig.userErrors).toEqual([]);
}

const BYPASS = /* GraphQL */ `
  mutation($r: ID!, $c: String!, $g: BypassableGate!, $why: String!) {
    bypassGate(input: { release: $r, channel: $c, gate: $g, reason: $why }) { bypass { gate actor reason channel } userErrors { code message path } }
  }
`;

describe.each(DATABASES)('approvals and bypasses of immutable releases (%s)', (database) => {
  it('preventSelfApproval: whoever created a release (or the config change behind it) may not approve it', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    const admin = await token(server, 'ada', 'admin');
    const bob = await token(server, 'bob', 'deployer');
    const config = fakeConfig({ productionGates: '      - manualApproval: { minApprovers: 1, preventSelfApproval: true }' });
    await applyAs(server, config, admin);
    const v1 = (await server.data(`mutation { createRelease(input: { application: "shop", service: "web", params: { version: "v1" } }) { release { id } } }`, {}, bob)).createRelease.release.id;
    await waitForReason(server, 'production', 'WAITING', 'AWAITING_APPROVAL');
    const self = await server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { code message path } } }`, { r: v1 }, bob);
    expect(self.approveRelease.userErrors).toEqual([
      { code: 'SELF_APPROVAL', message: 'token:bob created v1 and may not approve it for production: this gate wants someone else\'s approval (preventSelfApproval)', path: ['release'] },
    ]);
    const gates = await server.data(`{ application(name: "shop") { releaseChannels { name gates { summary } } } }`);
    expect(gates.application.releaseChannels[1].gates[0].summary).toBe("1 distinct approver needed, not the release's creator");
    const ok = await server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { code message } } }`, { r: v1 }, admin);
    expect(ok.approveRelease.userErrors).toEqual([]);
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    // A config change is created by whoever applied it: ada may not approve that one.
    await applyAs(server, config.replace('spec: { replicas: 2 }', 'spec: { replicas: 3 }'), admin);
    const latest = (await server.data(`{ application(name: "shop") { services { latestRelease { id label trigger createdBy } } } }`)).application.services[0].latestRelease;
    expect(latest).toMatchObject({ label: 'v1 · config 2', trigger: 'CONFIG', createdBy: 'token:ada' });
    await waitForReason(server, 'production', 'WAITING', 'AWAITING_APPROVAL');
    const selfConfig = await server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { code message } } }`, { r: latest.id }, admin);
    expect(selfConfig.approveRelease.userErrors[0]).toEqual({ code: 'SELF_APPROVAL', message: "token:ada created v1 · config 2 (by changing the config) and may not approve it for production: this gate wants someone else's approval (preventSelfApproval)" });
  });

  it('an admin bypasses one gate for one release in one channel, with a reason recorded as an event; nobody else can', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    const deployer = await token(server, 'dee', 'deployer');
    await applyAs(server, fakeConfig({ productionGates: '      - manualApproval: { minApprovers: 2 }\n      - soak: { duration: 1h }' }));
    const v1 = await release(server, 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');

    const refused = await server.data(BYPASS, { r: v1, c: 'production', g: 'soak', why: 'hotfix' }, deployer);
    expect(refused.bypassGate.userErrors).toEqual([{ code: 'FORBIDDEN', message: 'role deployer cannot bypass gates; an admin token is needed', path: ['gate'] }]);
    const noReason = await server.data(BYPASS, { r: v1, c: 'production', g: 'soak', why: '  ' });
    expect(noReason.bypassGate.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', path: ['reason'] });
    const noGate = await server.data(BYPASS, { r: v1, c: 'staging', g: 'soak', why: 'x' });
    expect(noGate.bypassGate.userErrors[0]).toEqual({ code: 'INVALID_INPUT', message: 'v1 has no soak gate in staging; it has no gates there', path: ['gate'] });

    const soak = await server.data(BYPASS, { r: v1, c: 'production', g: 'soak', why: 'incident 42: the fix must go out now' });
    expect(soak.bypassGate).toEqual({ bypass: { gate: 'soak', actor: 'token:admin', reason: 'incident 42: the fix must go out now', channel: 'production' }, userErrors: [] });
    // The soak no longer holds; the approvals still do: a bypass covers exactly one gate.
    await waitFor(async () => (await instances(server)).production!.reasons.map((r) => r.code).join() === 'AWAITING_APPROVAL', 'only the approval to hold production');
    await server.data(BYPASS, { r: v1, c: 'production', g: 'manualApproval', why: 'approvers are asleep' });
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    const bypassed = (await server.data(`{ events(application: "shop", first: 100) { nodes { type actor message } } }`)).events.nodes.filter((e: any) => e.type === 'GATE_BYPASSED');
    expect(bypassed.map((e: any) => e.message).sort()).toEqual([
      'token:admin bypassed the manualApproval gate for v1 of web in production: approvers are asleep',
      'token:admin bypassed the soak gate for v1 of web in production: incident 42: the fix must go out now',
    ]);
    const listed = await server.data(`query($id: ID!) { node(id: $id) { ... on Release { bypasses { channel gate actor reason } } } }`, { id: v1 });
    expect(listed.node.bypasses).toHaveLength(2);

    // The next release waits for every gate again.
    await release(server, 'v2');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v2');
    const again = await waitForReason(server, 'production', 'WAITING', 'AWAITING_APPROVAL');
    expect(again.reasons.map((r) => r.code)).toEqual(['AWAITING_APPROVAL', 'SOAKING']);
  });
});
