import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../helpers/config-text.js';
import { freePortRange } from '../helpers/ports.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';
import { collect, wsClient } from '../helpers/subscriptions.js';
import { waitFor } from '../helpers/wait.js';
import { Scrape } from './scrape.js';

const FAST = { steadyIntervalMs: 500, gatePollMs: 200 };

async function instance(server: TestServer, channel: string) {
  const data = await server.data(`{ application(name: "hello") { releaseChannels { name instances { status reasons { code } } } } }`);
  return data.application.releaseChannels.find((c: any) => c.name === channel).instances[0];
}

async function gone(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`).then(() => false, () => true);
}

describe('issue 14.1: /metrics during a real rollout on local processes', () => {
  it('names, labels and counters that moved, read with a Prometheus text-format parser', { timeout: 120_000 }, async () => {
    const stagingPort = await freePortRange(1);
    const productionPort = await freePortRange(2);
    const config = HELLO_CONFIG.replace('port: 8100', `port: ${stagingPort}`).replace('port: 8200', `port: ${productionPort}`);
    await using server = await startTestServer({ engine: FAST });
    const metricsUrl = `${server.url}/metrics`;

    // Behind a token on the API port: none or a wrong one is refused, the admin token reads.
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const before = await Scrape.from(metricsUrl, ADMIN_TOKEN);
    expect(before.family('driftless_process_cpu_user_seconds_total').type).toBe('COUNTER');
    expect(before.family('driftless_process_resident_memory_bytes').type).toBe('GAUGE');

    expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
    const client = wsClient(server.url);
    const events = collect(client, `subscription { convergenceEvents(application: "hello") { type } }`);
    try {
      await events.ready;
      const created = await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v1' } });
      expect(created.createRelease.userErrors).toEqual([]);
      await waitFor(async () => {
        const p = await instance(server, 'production');
        const s = await instance(server, 'staging');
        return s.status === 'CONVERGED' && p.status === 'WAITING' && p.reasons.some((r: any) => r.code === 'AWAITING_APPROVAL');
      }, 'staging to converge and production to wait for approval', 60_000, 100);

      const during = await Scrape.from(metricsUrl, ADMIN_TOKEN);
      expect(during.total('driftless_instances', { application: 'hello', channel: 'staging', status: 'CONVERGED' })).toBe(1);
      expect(during.total('driftless_instances', { application: 'hello', channel: 'production', status: 'WAITING' })).toBe(1);
      expect(during.total('driftless_gates_waiting', { type: 'AWAITING_APPROVAL' })).toBe(1);
      expect(during.family('driftless_engine_tick_duration_seconds').type).toBe('HISTOGRAM');
      expect(during.total('driftless_engine_ticks_total')).toBeGreaterThan(before.total('driftless_engine_ticks_total'));
      expect(during.total('driftless_engine_ticks_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
      expect(during.total('driftless_plugin_calls_total', { plugin: 'process', hook: 'apply', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(during.total('driftless_plugin_calls_total', { plugin: 'process', hook: 'fetch', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      // parse-prometheus-text-format folds the samples of a labelled histogram into its buckets
      // (it keeps type and buckets only), so counts are read from unlabelled histograms and counters.
      expect(during.family('driftless_plugin_call_duration_seconds').type).toBe('HISTOGRAM');
      expect(during.total('driftless_engine_claim_batch_size')).toBeGreaterThan(0);
      // applyConfig and createRelease woke the engine: the first apply after them is a reaction.
      expect(during.total('driftless_reaction_seconds')).toBeGreaterThanOrEqual(1);
      expect(during.total('driftless_api_requests_total', { operation_type: 'mutation', result: 'ok' })).toBeGreaterThanOrEqual(2);
      expect(during.total('driftless_api_requests_total', { operation_type: 'query', result: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(during.total('driftless_websocket_connections')).toBe(1);
      expect(during.total('driftless_websocket_subscriptions')).toBe(1);
      // Bounded labels: no release ids, no messages, nothing but the declared names.
      for (const family of during.families) {
        for (const sample of family.metrics) {
          for (const value of Object.values(sample.labels ?? {})) expect(value).not.toContain(created.createRelease.release.id);
        }
      }
      // A refused mutation counts as the caller's error, not the server's.
      const refused = await server.data(CREATE_RELEASE, { application: 'nope', service: 'web', params: {} }).catch(() => null);
      expect(refused?.createRelease?.userErrors?.length ?? 1).toBeGreaterThan(0);
      const after = await Scrape.from(metricsUrl, ADMIN_TOKEN);
      expect(after.total('driftless_api_requests_total', { operation_type: 'mutation', result: 'user_error' })).toBeGreaterThanOrEqual(1);
    } finally {
      events.stop();
      await client.dispose();
      await server.data(`mutation { deleteApplication(input: { name: "hello" }) { userErrors { message } } }`);
      await waitFor(async () => (await gone(stagingPort)) && (await gone(productionPort)), 'the processes to stop', 20_000, 200);
    }
    await waitFor(async () => (await Scrape.from(metricsUrl, ADMIN_TOKEN)).total('driftless_websocket_connections') === 0, 'the socket to count as closed', 10_000, 100);
  });

  it('DRIFTLESS_METRICS_PORT serves /metrics open on its own port, and the API port no longer does', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ config: { metricsPort: 0 } });
    const port = server.driftless.metricsPort!;
    expect(port).toBeGreaterThan(0);
    const scrape = await Scrape.from(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.family('driftless_engine_ticks_total').type).toBe('COUNTER');
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
  });

  it('DRIFTLESS_METRICS_TOKEN is a scrape secret accepted on the API port', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ config: { metricsToken: 'scrape-secret-123' } });
    const scrape = await Scrape.from(`${server.url}/metrics`, 'scrape-secret-123');
    expect(scrape.family('driftless_api_requests_total').type).toBe('COUNTER');
  });
});
