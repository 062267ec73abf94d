import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../helpers/config-text.js';
import { freePortRange } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect, wsClient } from '../helpers/subscriptions.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { steadyIntervalMs: 500, gatePollMs: 200 };

const STATUS = /* GraphQL */ `{
  application(name: "hello") { releaseChannels { name instances { status reasons { code message } convergedRelease { id label } desiredRelease { id label } } } }
}`;

async function channel(server: TestServer, name: string) {
  const data = await server.data(STATUS);
  return data.application.releaseChannels.find((c: any) => c.name === name).instances[0];
}

async function answer(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return (await res.text()).trim();
}

async function release(server: TestServer, version: string): Promise<string> {
  const res = await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params: { version } });
  expect(res.createRelease.userErrors).toEqual([]);
  return res.createRelease.release.id;
}

async function converged(server: TestServer, name: string, label: string) {
  return waitFor(async () => {
    const i = await channel(server, name);
    return i.status === 'CONVERGED' && i.convergedRelease?.label === label ? i : undefined;
  }, `${name} converged on ${label}`, 30_000, 100).catch(async (err) => {
    throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await channel(server, name))}`);
  });
}

describe('examples/hello on real local processes', () => {
  it('releases v1 then v2 through staging → production with a manual approval, live over a subscription', { timeout: 120_000 }, async () => {
    const stagingPort = await freePortRange(1);
    const productionPort = await freePortRange(2);
    const config = HELLO_CONFIG.replace('port: 8100', `port: ${stagingPort}`).replace('port: 8200', `port: ${productionPort}`);
    await using server = await startTestServer({ engine: FAST });
    expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
    const client = wsClient(server.url);
    const events = collect(client, `subscription { convergenceEvents(application: "hello") { type message } }`);
    try {
      await events.ready;
      for (const version of ['v1', 'v2']) {
        const releaseId = await release(server, version);
        await converged(server, 'staging', version);
        expect(await answer(stagingPort)).toBe(`hello from ${version} in staging`);

        const waiting = await waitFor(async () => {
          const i = await channel(server, 'production');
          return i.status === 'WAITING' && i.reasons.some((r: any) => r.code === 'AWAITING_APPROVAL') ? i : undefined;
        }, 'production to wait for approval');
        expect(waiting.reasons.find((r: any) => r.code === 'AWAITING_APPROVAL').message).toMatch(/approv/);
        const approved = await server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { code message } } }`, { r: releaseId });
        expect(approved.approveRelease.userErrors).toEqual([]);

        await converged(server, 'production', version);
        expect(await answer(productionPort)).toBe(`hello from ${version} in production`);
        expect(await answer(productionPort + 1)).toBe(`hello from ${version} in production`);
      }

      // The subscription saw the story in order: staging converged on v2 before production started it.
      await waitFor(async () => events.items.some((e) => e.convergenceEvents.type === 'INSTANCE_CONVERGED' && /v2 converged in production/.test(e.convergenceEvents.message)), 'the last event', 10_000);
      const messages = events.items.map((e) => `${e.convergenceEvents.type}: ${e.convergenceEvents.message}`);
      const at = (pattern: RegExp) => messages.findIndex((m) => pattern.test(m));
      expect(at(/ROLLOUT_STARTED: starting v1 in staging/)).toBeGreaterThanOrEqual(0);
      expect(at(/INSTANCE_CONVERGED: v1 converged in staging/)).toBeGreaterThan(at(/ROLLOUT_STARTED: starting v1 in staging/));
      expect(at(/RELEASE_APPROVED/)).toBeGreaterThan(at(/INSTANCE_CONVERGED: v1 converged in staging/));
      expect(at(/ROLLOUT_STARTED: starting v1 in production/)).toBeGreaterThan(at(/INSTANCE_CONVERGED: v1 converged in staging/));
      expect(at(/INSTANCE_CONVERGED: v2 converged in production/)).toBeGreaterThan(at(/INSTANCE_CONVERGED: v2 converged in staging/));
    } finally {
      events.stop();
      await client.dispose();
      // Deleting the application stops its processes.
      await server.data(`mutation { deleteApplication(input: { name: "hello" }) { userErrors { message } } }`);
      await waitFor(async () => {
        try {
          await answer(stagingPort);
          return false;
        } catch {
          return true;
        }
      }, 'the staging process to stop', 20_000, 200);
      await waitFor(async () => {
        try {
          await answer(productionPort);
          return false;
        } catch {
          return true;
        }
      }, 'the production processes to stop', 20_000, 200);
    }
  });
});
