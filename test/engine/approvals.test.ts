import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { applyAndRelease, fakeConfig, instances, release, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

afterEach(async () => {
  await control.reset();
});

async function deployerToken(server: TestServer, name: string): Promise<string> {
  const res = await server.data(`mutation($n: String!) { createApiToken(input: { name: $n, role: deployer }) { secret } }`, { n: name });
  return res.createApiToken.secret;
}

async function decide(server: TestServer, verb: 'approveRelease' | 'rejectRelease', releaseId: string, token: string, comment?: string): Promise<void> {
  const res = await server.data(`mutation($r: ID!, $c: String) { ${verb}(input: { release: $r, channel: "production", comment: $c }) { userErrors { message } } }`, { r: releaseId, c: comment ?? null }, token);
  expect(res[verb].userErrors).toEqual([]);
}

async function productionReasons(server: TestServer): Promise<string> {
  const view = (await instances(server)).production!;
  return `${view.status}: ${view.reasons.map((r) => `${r.code} ${r.message}`).join('; ')}`;
}

describe.each(DATABASES)('manual approval on the fake runtime (%s)', (database) => {
  it('needs two distinct approvers; a rejection fails the release there; a new release waits again', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    const alice = await deployerToken(server, 'alice');
    const bob = await deployerToken(server, 'bob');
    const v1 = await applyAndRelease(server, fakeConfig({ productionGates: '      - manualApproval: { minApprovers: 2 }' }), 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');

    await decide(server, 'approveRelease', v1, alice);
    await decide(server, 'approveRelease', v1, alice); // the same person twice counts once
    await waitFor(async () => /AWAITING_APPROVAL .*1 of 2/.test(await productionReasons(server)), 'production to count one approver');
    await decide(server, 'approveRelease', v1, bob);
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    const v2 = await release(server, 'v2');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v2');
    await decide(server, 'rejectRelease', v2, bob, 'breaks checkout');
    const rejected = await waitFor(async () => {
      const view = (await instances(server)).production!;
      return view.status === 'FAILED' ? view : undefined;
    }, 'production to fail v2');
    expect(rejected.reasons[0]!.code).toBe('RELEASE_REJECTED');
    expect(rejected.reasons[0]!.message).toMatch(/rejected by token:bob.*breaks checkout/);
    expect(rejected.convergedRelease!.label).toBe('v1');

    const v3 = await release(server, 'v3');
    await waitFor(async () => /^WAITING: AWAITING_APPROVAL/.test(await productionReasons(server)), 'production to wait for approval of v3');
    await decide(server, 'approveRelease', v3, alice);
    await decide(server, 'approveRelease', v3, bob);
    await waitForChannel(server, 'production', 'CONVERGED', 'v3');
  });
});
