import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gqlAt, startChildServer } from '../helpers/child-server.js';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver } from './receiver.js';

const LOG = /* GraphQL */ `{ notificationDeliveries(first: 10) { nodes { idempotencyKey status attempts lastError } } }`;

describe('issue 14.3: a delivery pending when the server is killed is delivered after the restart', () => {
  it('SIGKILL with the receiver down; the next life of the server delivers it, with the same idempotency key', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-notify-restart-'));
    // Reserve a port for the receiver, then let it be down while the first server runs.
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close();
    const env = { DRIFTLESS_DATA_DIR: dataDir, DRIFTLESS_NOTIFY_RETRY_BASE_MS: '300', DRIFTLESS_NOTIFY_MAX_BACKOFF_MS: '600', DRIFTLESS_NOTIFY_MAX_ATTEMPTS: '1000', DRIFTLESS_NOTIFY_TIMEOUT_MS: '2000' };
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
    const first = await startChildServer(env);
    try {
      const applied = await gqlAt(first.url, APPLY_CONFIG, { documents: `kind: Notifier\nname: ops\nwebhook: { url: "http://127.0.0.1:${port}/hook" }\n` });
      expect(applied.applyConfig.userErrors).toEqual([]);
      const sent = await gqlAt(first.url, `mutation { sendTestNotification(input: { notifier: "ops" }) { delivery { idempotencyKey } userErrors { message } } }`);
      const id = sent.sendTestNotification.delivery.idempotencyKey as string;
      await waitFor(async () => (await gqlAt(first.url, LOG)).notificationDeliveries.nodes.some((n: any) => n.idempotencyKey === id && n.attempts >= 1), 'a failed first attempt', 30_000, 100);
      const pending = (await gqlAt(first.url, LOG)).notificationDeliveries.nodes.find((n: any) => n.idempotencyKey === id);
      expect(pending.status).toBe('PENDING');
      expect(pending.lastError).toMatch(/could not reach the receiver/);
      await first.kill();

      receiver = await startReceiver(port);
      const second = await startChildServer(env);
      try {
        await waitFor(async () => receiver!.at('/hook').length > 0, 'the delivery after the restart', 30_000, 100);
        expect(receiver.at('/hook')[0]!.headers['idempotency-key']).toBe(id);
        const done = await waitFor(async () => (await gqlAt(second.url, LOG)).notificationDeliveries.nodes.find((n: any) => n.idempotencyKey === id && n.status === 'DELIVERED'), 'DELIVERED in the log', 10_000, 100);
        expect(done.attempts).toBeGreaterThanOrEqual(2);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
      await receiver?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
