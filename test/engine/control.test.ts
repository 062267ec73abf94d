import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { applyAndRelease, fakeConfig, instanceIds, instances, release, waitForChannel, waitForReason } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

afterEach(async () => {
  await control.reset();
});

describe.each(DATABASES)('pause, resume and rollback on demand (%s)', (database) => {
  it('a paused channel fetches and reports but does not apply; resuming converges it', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    const paused = await server.data(`mutation { pauseConvergence(input: { application: "shop", channel: "production" }) { userErrors { message } } }`);
    expect(paused.pauseConvergence.userErrors).toEqual([]);
    const ids = await instanceIds(server);
    const productionApplies = () => control.applyCalls().filter((c) => c.instanceId === ids.production).length;
    const before = await waitFor(async () => productionApplies(), 'production v1 apply in the main thread log');

    await release(server, 'v2');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v2');
    const view = await waitForReason(server, 'production', 'PAUSED', 'PAUSED_BY_USER', 'v1');
    expect(view.reasons[0]!.message).toMatch(/v2 starts when it is resumed/);
    expect(productionApplies()).toBe(before);

    await server.data(`mutation { resumeConvergence(input: { application: "shop", channel: "production" }) { userErrors { message } } }`);
    await waitForChannel(server, 'production', 'CONVERGED', 'v2');
  });

  it('rollbackService takes a channel back to the previous release and marks the current one bad', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    await release(server, 'v2');
    await waitForChannel(server, 'production', 'CONVERGED', 'v2');

    const res = await server.data(`mutation { rollbackService(input: { application: "shop", service: "web", channel: "production" }) { userErrors { message } } }`);
    expect(res.rollbackService.userErrors).toEqual([]);
    const rolledBack = await waitForChannel(server, 'production', 'ROLLED_BACK', 'v1');
    // A rollback someone asked for is not reported as a failure of the release, nor named after the mutation.
    expect(rolledBack.reasons[0]!.code).toBe('ROLLED_BACK_BY_USER');
    expect(rolledBack.reasons[0]!.message).toBe('back on v1: v2 was rolled back by token:admin and is marked bad here; a new release clears the way');
    const types = (await server.data(`{ events(application: "shop", first: 100) { nodes { type message } } }`)).events.nodes;
    expect(types.filter((e: any) => e.type === 'RELEASE_FAILED')).toEqual([]);
    expect(types.find((e: any) => e.type === 'ROLLBACK_STARTED').message).toBe('token:admin rolled web back in production from v2 to v1; v2 is marked bad here');
    // Automation does not bring v2 back; staging keeps it.
    await new Promise((r) => setTimeout(r, 800));
    expect((await instances(server)).production!.convergedRelease!.label).toBe('v1');
    expect((await instances(server)).staging!.convergedRelease!.label).toBe('v2');
    await waitFor(async () => (await instances(server)).production!.status === 'ROLLED_BACK', 'production to stay rolled back');
  });
});
