import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { applyAndRelease, fakeConfig, instanceIds, instances, release, rowId, waitForChannel, waitForReason } from '../helpers/fake-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100, maxAttempts: 3, fetchTimeoutMs: 400, applyTimeoutMs: 400 };

afterEach(async () => {
  await control.reset();
});

/**
 * Creates a release while the application is paused, arms a fault for it, then resumes: the engine
 * reacts within milliseconds, so a fault armed after an unpaused createRelease could come too late.
 */
async function releasePaused(server: TestServer, version: string, arm: (releaseId: string) => Promise<unknown>): Promise<string> {
  await server.data(`mutation { pauseConvergence(input: { application: "shop" }) { userErrors { message } } }`);
  const id = await release(server, version);
  await arm(id);
  await server.data(`mutation { resumeConvergence(input: { application: "shop" }) { userErrors { message } } }`);
  return id;
}

async function eventTypes(server: TestServer): Promise<string[]> {
  const data = await server.data(`{ events(application: "shop", first: 500) { nodes { type message } } }`);
  return data.events.nodes.map((e: any) => e.type).reverse();
}

describe.each(DATABASES)('failure and recovery on the fake runtime (%s)', (database) => {
  it('a failing release is rolled back to the last converged one, marked bad, and never promoted', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    const v2 = await releasePaused(server, 'v2-broken', (id) => control.failApply({ version: rowId(id) }, { terminal: true, message: 'image not found' }));
    const staging = await waitForChannel(server, 'staging', 'ROLLED_BACK', 'v1');
    expect(staging.reasons[0]!.code).toBe('RELEASE_MARKED_BAD');
    expect(staging.reasons[0]!.message).toMatch(/v2-broken failed here .*image not found.*rolled back to v1/);
    // Production never takes it, and says why.
    const production = await waitForReason(server, 'production', 'WAITING', 'RELEASE_MARKED_BAD', 'v1');
    expect(production.reasons.map((r) => r.code)).toEqual(['RELEASE_MARKED_BAD']);
    const ids = await instanceIds(server);
    expect(control.applyCalls().filter((c) => c.instanceId === ids.production && c.version === rowId(v2))).toEqual([]);
    const types = await eventTypes(server);
    expect(types).toEqual(expect.arrayContaining(['RELEASE_FAILED', 'ROLLBACK_STARTED', 'INSTANCE_ROLLED_BACK']));

    // A new release clears the way.
    await release(server, 'v3');
    await waitForChannel(server, 'production', 'CONVERGED', 'v3');
  });

  it('retries a failing apply with backoff and converges when it recovers', async () => {
    await using server = await startTestServer({ database, engine: { ...FAST, maxAttempts: 5 } });
    await control.failApply({ application: 'shop', channel: 'staging' }, { times: 2, message: 'backend busy' });
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    const data = await server.data(`{ events(application: "shop", first: 500) { nodes { type message } } }`);
    expect(data.events.nodes.some((e: any) => e.type === 'INSTANCE_STATUS_CHANGED' && /backend busy/.test(e.message))).toBe(true);
  });

  it('a release that never becomes healthy fails at its progress deadline and rolls back', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig({ progressDeadline: '1s' }), 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    await releasePaused(server, 'v2', (id) => control.unhealthyAfterApply({ version: rowId(id) }));
    const staging = await waitForChannel(server, 'staging', 'ROLLED_BACK', 'v1');
    expect(staging.reasons[0]!.message).toMatch(/did not converge within its progress deadline/);
  });

  it('heals drift: a converged instance that drifts is re-applied, and the event says why', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    const ids = await instanceIds(server);
    const before = control.applyCalls().filter((c) => c.instanceId === ids.staging).length;
    await control.injectDrift(ids.staging!);
    await waitFor(async () => control.applyCalls().filter((c) => c.instanceId === ids.staging).length > before, 'a re-apply of staging');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    const data = await server.data(`{ events(application: "shop", first: 500) { nodes { type message } } }`);
    const healed = data.events.nodes.find((e: any) => e.type === 'INSTANCE_SELF_HEALED');
    expect(healed.message).toMatch(/re-applied v1 in staging: .*drift/i);
  });

  it('a hanging or throwing plugin call fails only its own instance', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await control.hangFetch({ service: 'web', channel: 'staging' });
    await control.throwOn({ service: 'web', channel: 'production' }, 'fetch', { message: 'kaboom' });
    await applyAndRelease(server, fakeConfig({ extraServices: ['api'] }), 'v1', 'web');
    await release(server, 'v1', 'api');
    // api converges everywhere while web's calls hang or throw.
    await waitForChannel(server, 'production', 'CONVERGED', 'v1', 15_000, 'api');
    const stagingWeb = await waitFor(async () => {
      const s = (await instances(server, 'web')).staging!;
      return s.reasons.some((r) => r.code === 'PLUGIN_TIMEOUT') ? s : undefined;
    }, 'web in staging to report the timeout');
    expect(stagingWeb.reasons.find((r) => r.code === 'PLUGIN_TIMEOUT')!.message).toMatch(/plugin "fake" fetch timed out after 400 ms/);
  });
});
