import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { waitFor } from '../helpers/wait.js';
import { applyAndRelease, fakeConfig, instanceIds, instances, release, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100 };

afterEach(async () => {
  await control.reset();
});

describe.each(DATABASES)('convergence on the fake runtime (%s)', (database) => {
  it('walks a release through staging, then production, in order', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig(), 'v1');
    const staging = await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    expect(staging.reasons).toEqual([]);
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    // Production's first apply came after staging converged (staging's last apply).
    const ids = await instanceIds(server);
    // The main thread's copy of the fake's log can trail the worker threads by a moment.
    const calls = await waitFor(async () => (control.applyCalls().some((c) => c.instanceId === ids.production) ? control.applyCalls() : undefined), 'production apply in the log');
    const firstProduction = calls.find((c) => c.instanceId === ids.production);
    const lastStaging = calls.filter((c) => c.instanceId === ids.staging).at(-1);
    expect(firstProduction).toBeDefined();
    expect(firstProduction!.at).toBeGreaterThanOrEqual(lastStaging!.at);
  });

  it('says why production waits while staging converges', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await applyAndRelease(server, fakeConfig({ productionGates: '      - manualApproval: { minApprovers: 1 }' }), 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    // Once staging has converged, the approval is the only thing production waits for.
    const production = await waitFor(async () => {
      const view = (await instances(server)).production!;
      return view.status === 'WAITING' && view.reasons.map((r) => r.code).join() === 'AWAITING_APPROVAL' ? view : undefined;
    }, 'production to wait for the approval only');
    expect(production.reasons[0]!.message).toMatch(/approv/);
  });

  it('a newer release replaces an in-flight one', async () => {
    await using server = await startTestServer({ database, engine: FAST });
    await control.setLatency(150);
    await applyAndRelease(server, fakeConfig(), 'v1');
    await release(server, 'v2');
    await waitForChannel(server, 'production', 'CONVERGED', 'v2');
    const views = await instances(server);
    expect(views.staging!.convergedRelease!.label).toBe('v2');
  });
});
