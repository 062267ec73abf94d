// A remote Engine's clock, not this server's, decides "running for a second" and "not healthy in
// time": container start times come from the daemon. Here a stand-in answers GET /info over
// tcp:// with a clock five minutes ahead, as a badly kept remote host would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { connect } from '../src/client.js';
import { engineClock } from '../src/clock.js';
import { parseConfig } from '../src/config.js';

it('reads the skew of a remote daemon from /info; a local socket uses this clock', async () => {
  const ahead = 5 * 60_000;
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url?.endsWith('/info') ? { SystemTime: new Date(Date.now() + ahead).toISOString() } : {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const config = parseConfig({ endpoint: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const now = await engineClock(connect(config), config, AbortSignal.timeout(5_000));
    expect(Math.abs(now() - (Date.now() + ahead))).toBeLessThan(1_000);
    const local = parseConfig({ endpoint: 'unix:///var/run/docker.sock' });
    expect(await engineClock(connect(local), local, AbortSignal.timeout(5_000))).toBe(Date.now);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
