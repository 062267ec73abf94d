import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { fakeConfig, instances, release } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Long enough that a batch waiting for the hung call would still be waiting when the others are checked. */
const APPLY_TIMEOUT_MS = 8_000;
// A long steady interval: after the paused look at the new releases, nothing is ticked until the
// resume, so every staging instance is in the resume's batch.
const ENGINE = { steadyIntervalMs: 60_000, gatePollMs: 100, healthPollMs: 100, maxAttempts: 3, fetchTimeoutMs: 2_000, applyTimeoutMs: APPLY_TIMEOUT_MS };
const OTHERS = ['api', 'cart', 'search', 'mail', 'auth'];

afterEach(async () => {
  await control.reset();
});

describe.each(DATABASES)('a slow plugin call does not hold up its neighbours (%s)', (database) => {
  it('instances ticked together with a hanging one converge and are written while it still waits', async () => {
    await using server = await startTestServer({ database, engine: ENGINE });
    const applied = await server.data(APPLY_CONFIG, { documents: fakeConfig({ extraServices: OTHERS }) });
    expect(applied.applyConfig.userErrors).toEqual([]);
    // Paused while the releases are created, so every staging instance is woken at once on resume
    // and ticked in one batch with the hanging one.
    await server.data(`mutation { pauseConvergence(input: { application: "shop" }) { userErrors { message } } }`);
    for (const service of ['web', ...OTHERS]) await release(server, 'v1', service);
    await waitFor(async () => {
      const views = await Promise.all(['web', ...OTHERS].map(async (s) => (await instances(server, s)).staging!));
      return views.every((v) => v.status === 'PAUSED' && v.desiredRelease);
    }, 'the paused instances to have looked at their releases');
    // Paused ticks only fetch, so only the resumed tick's apply hangs.
    await control.hang({ service: 'web', channel: 'staging' }, 'apply');
    const resumedAt = Date.now();
    await server.data(`mutation { resumeConvergence(input: { application: "shop" }) { userErrors { message } } }`);

    const converged = async (service: string) => (await instances(server, service)).staging!;
    await waitFor(async () => {
      const views = await Promise.all(OTHERS.map(converged));
      return views.every((v) => v.status === 'CONVERGED' && v.convergedRelease?.label === 'v1');
    }, 'the other services to converge in staging', APPLY_TIMEOUT_MS * 2);
    const seenAt = Date.now();

    // web's apply is still waiting for its timeout: nothing about it has been decided yet, and the
    // others did not wait for it.
    const web = await converged('web');
    expect(web.reasons.map((r) => r.code)).not.toContain('PLUGIN_TIMEOUT');
    expect(seenAt - resumedAt).toBeLessThan(APPLY_TIMEOUT_MS);

    // Its timeout is then reported on its own.
    const timedOut = await waitFor(async () => {
      const v = await converged('web');
      if (!v.reasons.some((r) => r.code === 'PLUGIN_TIMEOUT')) throw new Error(`web is ${v.status}: ${JSON.stringify(v.reasons)}`);
      return v;
    }, 'web in staging to report the timeout', APPLY_TIMEOUT_MS * 3);
    expect(timedOut.reasons.find((r) => r.code === 'PLUGIN_TIMEOUT')!.message).toMatch(/apply timed out after 8000 ms/);
  });
});
