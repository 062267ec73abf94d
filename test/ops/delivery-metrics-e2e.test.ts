import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { runCli } from '../cli/run-cli.js';
import { applyAndRelease, fakeConfig, release, rowId, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100, maxAttempts: 2, fetchTimeoutMs: 400, applyTimeoutMs: 400 };
const P = 'count p50Seconds p90Seconds';
const METRICS = `{ deliveryMetrics(application: "shop", days: 1) { failedReleases caughtAutomatically caughtAutomaticallyShare leadTime { ${P} }
  channels { channel last deployments releasesReached releasesFailed changeFailureRate unrestored leadTime { ${P} } timeToRestore { ${P} } } } }`;

afterEach(async () => {
  await control.reset();
});

async function releasePaused(server: TestServer, version: string, arm: (releaseId: string) => Promise<unknown>): Promise<string> {
  await server.data(`mutation { pauseConvergence(input: { application: "shop" }) { userErrors { message } } }`);
  const id = await release(server, version);
  await arm(id);
  await server.data(`mutation { resumeConvergence(input: { application: "shop" }) { userErrors { message } } }`);
  return id;
}

describe("issue 14.4: delivery metrics over a real server's events", () => {
  it('v1 and v3 go through, v2 fails in staging and is rolled back there: the numbers follow, in the API and the CLI', { timeout: 120_000 }, async () => {
    await using server = await startTestServer({ engine: FAST });
    const v1 = await applyAndRelease(server, fakeConfig(), 'v1');
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');
    await releasePaused(server, 'v2-broken', (id) => control.failApply({ version: rowId(id) }, { terminal: true, message: 'image not found' }));
    await waitForChannel(server, 'staging', 'ROLLED_BACK', 'v1');
    const v3 = await release(server, 'v3');
    await waitForChannel(server, 'production', 'CONVERGED', 'v3');

    const m = (await server.data(METRICS)).deliveryMetrics;
    const [staging, production] = m.channels;
    expect(staging).toMatchObject({ channel: 'staging', last: false, deployments: 2, releasesReached: 3, releasesFailed: 1, unrestored: 0 });
    expect(staging.changeFailureRate).toBeCloseTo(1 / 3, 9);
    expect(staging.timeToRestore.count).toBe(1);
    expect(production).toMatchObject({ channel: 'production', last: true, deployments: 2, releasesReached: 2, releasesFailed: 0, changeFailureRate: 0 });
    expect(m).toMatchObject({ failedReleases: 1, caughtAutomatically: 1, caughtAutomaticallyShare: 1 });

    // Lead time to production, recomputed here from the API's own events and releases.
    const history = await server.data(`{ events(application: "shop", first: 500) { nodes { at type subject data } } }`);
    const releases = await server.data(`query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Release { id createdAt } } b: node(id: $b) { ... on Release { id createdAt } } }`, { a: v1, b: v3 });
    const convergedInProduction = (id: string) =>
      Math.min(...history.events.nodes.filter((e: any) => e.type === 'INSTANCE_CONVERGED' && e.subject.includes('/production/') && e.data?.releaseId === rowId(id)).map((e: any) => Date.parse(e.at)));
    const leads = [v1, v3].map((id, n) => (convergedInProduction(id) - Date.parse([releases.a, releases.b][n].createdAt)) / 1000).sort((x, y) => x - y);
    expect(m.leadTime).toEqual({ count: 2, p50Seconds: leads[0], p90Seconds: leads[1] });
    expect(production.leadTime).toEqual(m.leadTime);

    const cli = await runCli(['metrics', 'shop', '--days', '1'], { url: server.url });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/staging\s.*\b2\b.*33% \(1\/3\)/);
    expect(cli.stdout).toMatch(/production \(last\).*0% \(0\/2\)/);
    expect(cli.stdout).toMatch(/caught automatically before the last channel: 100% \(1 of 1 failed releases\)/);
    const unknown = await runCli(['metrics', 'nope'], { url: server.url });
    expect(unknown.code).toBe(2);
  });
});
