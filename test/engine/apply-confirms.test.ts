import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { applyAndRelease, fakeConfig, release, rowId, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';

// No steady re-checks within the test: every tick counted is one the rollout needed.
const QUIET = { steadyIntervalMs: 60_000, gatePollMs: 100, healthPollMs: 100 };

afterEach(async () => {
  await control.reset();
});

describe.each(DATABASES)('issue 17: apply and confirm in one tick (%s)', (database) => {
  it('a tick whose apply reports the target running converges in that tick', async () => {
    await using server = await startTestServer({ database, engine: QUIET });
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'staging', 'CONVERGED', 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    const data = await server.data(`{ events(application: "shop", first: 500) { nodes { type at subject data } } }`);
    const staging = data.events.nodes.filter((e: any) => e.subject.endsWith('/staging/web')).reverse();
    const applied = staging.find((e: any) => e.type === 'INSTANCE_APPLIED');
    const converged = staging.find((e: any) => e.type === 'INSTANCE_CONVERGED');
    // One apply, no re-apply (events are written by the engine in the tick's transaction).
    expect(staging.filter((e: any) => e.type === 'INSTANCE_APPLIED')).toHaveLength(1);
    // Written by one tick: a tick's events carry its finishing time (two ticks have two).
    expect(converged?.at).toBe(applied.at);
    // Straight from PENDING to CONVERGED: no CONVERGING in between.
    const statuses = staging.filter((e: any) => e.type === 'INSTANCE_STATUS_CHANGED').map((e: any) => e.data.status);
    expect(statuses).not.toContain('CONVERGING');
    expect(statuses.at(-1)).toBe('CONVERGED');
  });

  it('an apply whose result is not the target yet is confirmed by a later fetch, as before', async () => {
    await using server = await startTestServer({ database, engine: QUIET });
    // v1 first: the worker threads have loaded the fake (and its faults) before the fault is armed.
    await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    await server.data(`mutation { pauseConvergence(input: { application: "shop" }) { userErrors { message } } }`);
    const v2 = rowId(await release(server, 'v2'));
    await control.unhealthyAfterApply({ channel: 'staging', version: v2 });
    await server.data(`mutation { resumeConvergence(input: { application: "shop" }) { userErrors { message } } }`);
    // The apply reports FAILED: not converged in its tick; later ticks look again and re-apply.
    await waitForChannel(server, 'staging', 'CONVERGING', 'v1');
    await control.clearFaults();
    await waitForChannel(server, 'staging', 'CONVERGED', 'v2');
  });
});
