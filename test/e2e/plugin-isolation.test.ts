/**
 * A busy-looping third-party plugin inside a real server: its instance reports PLUGIN_TIMEOUT, its
 * worker thread is replaced, instances on the fake runtime in the same application converge, and
 * the API answers all along (the main thread is never the one that spins).
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Holds the `spin` package (and other misbehaving fixtures); discovered like any plugin path entry.
const PLUGIN_DIR = fileURLToPath(new URL('../fixtures/plugins/_isolation', import.meta.url));
const ENGINE = { steadyIntervalMs: 300, gatePollMs: 100, fetchTimeoutMs: 500, applyTimeoutMs: 500 };

const CONFIG = `kind: Runtime
name: fake
plugin: fake
---
kind: Runtime
name: spinner
plugin: spin
---
kind: Application
name: shop
releaseChannels:
  - name: steady
    runtime: fake
  - name: spinning
    runtime: spinner
---
kind: Service
name: web
application: shop
parameters: [{ name: version, required: true }]
spec: { replicas: 1 }
---
kind: Service
name: api
application: shop
parameters: [{ name: version, required: true }]
spec: { replicas: 1 }
`;

const STATUS = /* GraphQL */ `{
  application(name: "shop") { releaseChannels { name instances { service { name } status reasons { code message } } } }
}`;

interface Instance {
  channel: string;
  service: string;
  status: string;
  reasons: { code: string; message: string }[];
}

async function instances(server: TestServer): Promise<Instance[]> {
  const data = await server.data(STATUS);
  return data.application.releaseChannels.flatMap((c: any) => c.instances.map((i: any) => ({ channel: c.name, service: i.service.name, status: i.status, reasons: i.reasons })));
}

/** Asks the API a question every 100 ms until stopped; returns the slowest answer and any failure. */
function keepAsking(server: TestServer): () => Promise<{ answers: number; slowestMs: number; failures: string[] }> {
  let stopped = false;
  const stats = { answers: 0, slowestMs: 0, failures: [] as string[] };
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        await server.data('{ runtimePlugins { name } }');
        stats.answers++;
      } catch (err) {
        stats.failures.push(err instanceof Error ? err.message : String(err));
      }
      stats.slowestMs = Math.max(stats.slowestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return stats;
  };
}

afterEach(async () => {
  await control.reset();
});

describe('plugin isolation in a running server', () => {
  it('a busy-looping plugin shows PLUGIN_TIMEOUT while the fake runtime converges and the API keeps answering', async () => {
    await using server = await startTestServer({ config: { pluginPath: [PLUGIN_DIR] }, engine: ENGINE });
    const stop = keepAsking(server);

    const applied = await server.data(APPLY_CONFIG, { documents: CONFIG });
    expect(applied.applyConfig.userErrors).toEqual([]);
    for (const service of ['web', 'api']) {
      const res = await server.data(CREATE_RELEASE, { application: 'shop', service, params: { version: 'v1' } });
      expect(res.createRelease.userErrors).toEqual([]);
    }

    const settled = await waitFor(
      async () => {
        const all = await instances(server);
        const steady = all.filter((i) => i.channel === 'steady');
        const spinning = all.filter((i) => i.channel === 'spinning');
        const done = steady.every((i) => i.status === 'CONVERGED') && spinning.every((i) => i.reasons.some((r) => r.code === 'PLUGIN_TIMEOUT'));
        return done ? all : undefined;
      },
      'the fake instances to converge and the spinning ones to report PLUGIN_TIMEOUT',
      30_000,
    );

    for (const i of settled.filter((x) => x.channel === 'spinning')) {
      expect(i.status).not.toBe('CONVERGED');
      expect(i.reasons.find((r) => r.code === 'PLUGIN_TIMEOUT')!.message).toBe(
        'plugin "spin" fetch did not return within 3000 ms and blocked its worker thread; the thread was replaced',
      );
    }
    expect(settled.filter((x) => x.channel === 'steady').map((i) => i.service).sort()).toEqual(['api', 'web']);

    // Still converged a while later: the replaced threads keep serving the fake runtime.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await instances(server)).filter((i) => i.channel === 'steady').every((i) => i.status === 'CONVERGED')).toBe(true);

    const asked = await stop();
    expect(asked.failures).toEqual([]);
    expect(asked.answers).toBeGreaterThan(10);
    // A spin on the main thread would hold every answer for the whole 3 s deadline; below that
    // leaves room for a loaded CI machine.
    expect(asked.slowestMs).toBeLessThan(2_500);
  }, 60_000);
});
