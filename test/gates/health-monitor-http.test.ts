import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HealthMonitor, gateKey, type CompiledGate } from '../../server/engine/gates/index.js';
import { waitFor } from './fixtures.js';

/** A service whose health status the test flips; `hang` makes it never answer. */
let status = 200;
let hang = false;
let hits = 0;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    if (hang) return;
    res.writeHead(status).end('health');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const monitors: HealthMonitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.stop()));
  status = 200;
  hang = false;
});

function monitor(opts: ConstructorParameters<typeof HealthMonitor>[0] = {}): HealthMonitor {
  const m = new HealthMonitor({ pollIntervalMs: 50, ...opts });
  monitors.push(m);
  return m;
}

const check = (path: string, expectStatus = 200): Extract<CompiledGate, { type: 'httpCheck' }> => ({
  type: 'httpCheck',
  url: `${base}${path}`,
  expectStatus,
  durationMs: 60_000,
  intervalMs: 50,
});

describe('HealthMonitor: httpCheck', () => {
  it('reports pass, flips to failing with the status, and calls onChange on each flip', async () => {
    const m = monitor();
    const gates = [check('/healthz')];
    const key = gateKey(gates[0]!);
    let changes = 0;
    m.onChange(() => changes++);

    expect(m.snapshot(gates)[key]).toBeUndefined();
    const first = await waitFor('first result', () => m.snapshot(gates)[key]);
    expect(first).toMatchObject({ ok: true, message: `GET ${base}/healthz returned 200` });
    expect(changes).toBe(1);

    status = 503;
    const failing = await waitFor('failing result', () => {
      const r = m.snapshot(gates)[key];
      return r && !r.ok && r;
    });
    expect(failing.message).toBe(`GET ${base}/healthz returned 503, want 200`);
    expect(failing.unreachable).toBeUndefined();
    expect(failing.lastFailedAt).toBe(failing.checkedAt);
    expect(failing.since).toBeGreaterThan(first.since);
    expect(changes).toBe(2);

    // Steady failure: results refresh but no flip, so no change events.
    await waitFor('a later poll', () => (m.snapshot(gates)[key]?.checkedAt ?? 0) > failing.checkedAt);
    expect(changes).toBe(2);
    expect(m.snapshot(gates)[key]?.since).toBe(failing.since);

    status = 200;
    const recovered = await waitFor('recovery', () => {
      const r = m.snapshot(gates)[key];
      return r?.ok && r;
    });
    expect(changes).toBe(3);
    // The last failure is remembered after recovery: post-deploy verification needs it.
    expect(recovered.lastFailedAt).toBeGreaterThanOrEqual(failing.checkedAt);
    expect(recovered.lastFailedAt).toBeLessThan(recovered.since);
  });

  it('polls one target once for many gates and channels', async () => {
    const m = monitor();
    m.watch([check('/shared')]);
    m.watch([check('/shared'), { type: 'soak', durationMs: 1 }]);
    m.watch([{ ...check('/shared'), intervalMs: 500 }]);
    expect(m.watching()).toEqual([`http ${base}/shared 200`]);
    m.watch([check('/shared', 204)]);
    expect(m.watching()).toHaveLength(2);
  });

  it('says why a check cannot connect', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));

    const m = monitor();
    const gates: CompiledGate[] = [{ ...check('/x'), url: `http://127.0.0.1:${port}/healthz` }];
    const result = await waitFor('result', () => m.snapshot(gates)[gateKey(gates[0]!)]);
    expect(result).toMatchObject({ ok: false, unreachable: true, message: `GET http://127.0.0.1:${port}/healthz failed: ECONNREFUSED` });
  });

  it('times out a hanging check without blocking other targets', async () => {
    hang = true;
    const m = monitor({ fetchTimeoutMs: 150 });
    const slow = check('/slow');
    const result = await waitFor('timeout', () => m.snapshot([slow])[gateKey(slow)]);
    expect(result).toMatchObject({ ok: false, message: `GET ${base}/slow failed: timed out after 150ms` });
  });

  it('stops polling a target nobody asked about for a while', async () => {
    let clock = Date.now();
    const m = monitor({ now: () => clock, unwatchAfterMs: 5 * 60_000 });
    const gates = [check('/idle')];
    await waitFor('first result', () => m.snapshot(gates)[gateKey(gates[0]!)]);
    expect(m.watching()).toHaveLength(1);
    clock += 5 * 60_000 + 1;
    await waitFor('target dropped', () => m.watching().length === 0);
    const before = hits;
    await new Promise((r) => setTimeout(r, 200));
    expect(hits).toBe(before);
    // Asking again starts from scratch.
    expect(m.snapshot(gates)[gateKey(gates[0]!)]).toBeUndefined();
    expect(m.watching()).toHaveLength(1);
  });

  it('stop() ends polling, including a probe in flight', async () => {
    hang = true;
    const m = monitor({ fetchTimeoutMs: 10_000 });
    m.watch([check('/stop')]);
    await waitFor('probe in flight', () => hits > 0);
    const started = Date.now();
    await m.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(m.watching()).toEqual([]);
  });
});
