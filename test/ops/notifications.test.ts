import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { fakeConfig, instances } from '../helpers/fake-config.js';
import { DATABASES } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { runCli } from '../cli/run-cli.js';
import { startReceiver } from './receiver.js';

const SECRET = 'a-signing-secret-of-32-characters';
const DELIVERIES = /* GraphQL */ `query($notifier: String) { notificationDeliveries(first: 50, notifier: $notifier) { totalCount nodes { idempotencyKey notifier event application channel status attempts lastStatusCode lastError eventId } } }`;

function notifiers(receiverUrl: string): string {
  return `---
kind: Notifier
name: staging-converged
webhook:
  url: ${receiverUrl}/a
  signingSecret: ${SECRET}
format: json
filters:
  channels: [staging]
  events: [CONVERGED]
---
kind: Notifier
name: approvals
webhook:
  url: ${receiverUrl}/b
format: slack
filters:
  applications: [shop]
  events: [WAITING_FOR_APPROVAL]
---
kind: Notifier
name: other-app
webhook:
  url: ${receiverUrl}/c
filters:
  applications: [not-shop]
`;
}

describe.each(DATABASES)('issue 14.3: notifications received by a real HTTP receiver (%s)', (database) => {
  it('signed, retried after a 500 with the same idempotency key, filtered, logged in the API, test-sent; secrets sealed', { timeout: 120_000 }, async () => {
    const receiver = await startReceiver();
    try {
      await using server = await startTestServer({ database, engine: { steadyIntervalMs: 500, gatePollMs: 200 }, config: { notify: { retryBaseMs: 200, maxBackoffMs: 1_000, maxAttempts: 5, timeoutMs: 5_000 } } });
      receiver.answer('/a', 500);
      const config = fakeConfig({ productionGates: '      - manualApproval: {}' }) + notifiers(receiver.url);
      const applied = await server.data(APPLY_CONFIG, { documents: config });
      expect(applied.applyConfig.userErrors).toEqual([]);
      expect(applied.applyConfig.created.filter((o: any) => o.kind === 'Notifier').map((o: any) => o.name).sort()).toEqual(['approvals', 'other-app', 'staging-converged']);

      const created = await server.data(CREATE_RELEASE, { application: 'shop', service: 'web', params: { version: 'v1' } });
      expect(created.createRelease.userErrors).toEqual([]);

      // 500 first, then the retry is accepted: two requests, one idempotency key.
      await waitFor(async () => receiver.at('/a').some((r) => r.status === 200), 'the staging CONVERGED notification to be accepted', 30_000, 100);
      const [first, second] = receiver.at('/a');
      expect(first!.status).toBe(500);
      expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
      expect(second!.headers['x-driftless-attempt']).toBe('2');
      const expected = `sha256=${createHmac('sha256', SECRET).update(second!.body).digest('hex')}`;
      expect(second!.headers['x-driftless-signature']).toBe(expected);
      const body = JSON.parse(second!.body);
      expect(body).toMatchObject({ id: first!.headers['idempotency-key'], event: 'CONVERGED', application: 'shop', channel: 'staging', service: 'web' });
      expect(body.message).toMatch(/v1 converged in staging/);

      // Slack format for the approval wait, unsigned.
      await waitFor(async () => receiver.at('/b').length > 0, 'the approval notification', 30_000, 100);
      const slack = JSON.parse(receiver.at('/b')[0]!.body);
      expect(Object.keys(slack)).toEqual(['text']);
      expect(slack.text).toMatch(/Waiting for approval.*shop \/ production \/ web/);
      expect(receiver.at('/b')[0]!.headers['x-driftless-signature']).toBeUndefined();

      // Approve: production converges, which staging-converged does not want (channel filter).
      const releaseId = created.createRelease.release.id;
      const approved = await server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { message } } }`, { r: releaseId });
      expect(approved.approveRelease.userErrors).toEqual([]);
      await waitFor(async () => (await instances(server)).production?.status === 'CONVERGED', 'production converged', 30_000, 100);

      // Test-send through the same outbox.
      const test = await server.data(`mutation { sendTestNotification(input: { notifier: "approvals" }) { delivery { idempotencyKey event status } userErrors { code message } } }`);
      expect(test.sendTestNotification.userErrors).toEqual([]);
      expect(test.sendTestNotification.delivery).toMatchObject({ event: 'TEST', status: 'PENDING' });
      await waitFor(async () => receiver.at('/b').some((r) => r.headers['idempotency-key'] === test.sendTestNotification.delivery.idempotencyKey), 'the test notification', 20_000, 100);
      const unknown = await server.data(`mutation { sendTestNotification(input: { notifier: "nope" }) { delivery { idempotencyKey } userErrors { code message path } } }`);
      expect(unknown.sendTestNotification.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', path: ['notifier'] });
      expect(unknown.sendTestNotification.userErrors[0].message).toMatch(/approvals/);

      // Filters held: only staging CONVERGED at /a, nothing at /c (another application).
      await new Promise((r) => setTimeout(r, 1_500));
      expect(receiver.at('/a').map((r) => JSON.parse(r.body).channel)).toEqual(['staging', 'staging']);
      expect(receiver.at('/c')).toEqual([]);
      expect(receiver.at('/b').map((r) => r.headers['x-driftless-event'])).toEqual(['WAITING_FOR_APPROVAL', 'TEST']);

      // The delivery log in the API.
      const log = await server.data(DELIVERIES, { notifier: 'staging-converged' });
      expect(log.notificationDeliveries.nodes).toEqual([expect.objectContaining({ notifier: 'staging-converged', event: 'CONVERGED', application: 'shop', channel: 'staging', status: 'DELIVERED', attempts: 2, lastStatusCode: 200, lastError: null })]);
      expect(log.notificationDeliveries.nodes[0].idempotencyKey).toBe(first!.headers['idempotency-key']);
      expect(log.notificationDeliveries.nodes[0].eventId).toMatch(/^\d+$/);
      const listed = await server.data(`{ notifiers { name format signed filters { applications channels events } } }`);
      expect(listed.notifiers.map((n: any) => [n.name, n.format, n.signed])).toEqual([['approvals', 'slack', false], ['other-app', 'json', false], ['staging-converged', 'json', true]]);

      // Secrets: not in the API (events, notifiers), not in clear in the database file.
      const events = await server.data(`{ events(first: 200) { nodes { type data message } } }`);
      const created_ = events.events.nodes.find((e: any) => e.type === 'NOTIFIER_CREATED' && /staging-converged/.test(e.message));
      expect(created_.data.changes).toContainEqual({ field: 'webhook.url', before: null, after: '<redacted>' });
      expect(created_.data.changes).toContainEqual({ field: 'filters.channels', before: null, after: ['staging'] });
      expect(JSON.stringify(events)).not.toContain(receiver.url);
      expect(JSON.stringify(events)).not.toContain(SECRET);
      expect(JSON.stringify(listed)).not.toContain(receiver.url);
      const rows = await server.driftless.store.orm.em.getConnection().execute('SELECT * FROM notifiers');
      expect(rows).toHaveLength(3);
      expect(JSON.stringify(rows)).not.toContain(receiver.url);
      expect(JSON.stringify(rows)).not.toContain(SECRET);
      if (database === 'sqlite') {
        const file = path.join(server.dataDir, 'driftless.db');
        const db = readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`).toString('latin1');
        expect(db).not.toContain(`${receiver.url}/a`);
        expect(db).not.toContain(SECRET);
      }

      // A changed notifier: field-level before/after, secrets redacted.
      const changed = await server.data(APPLY_CONFIG, { documents: config.replace('channels: [staging]', 'channels: [staging, production]').replace(SECRET, `${SECRET}-2`) });
      expect(changed.applyConfig.updated.map((o: any) => o.name)).toEqual(['staging-converged']);
      const after = await server.data(`{ events(first: 5) { nodes { type actor data } } }`);
      const updated = after.events.nodes.find((e: any) => e.type === 'NOTIFIER_UPDATED');
      expect(updated.actor).toMatch(/^token:/);
      expect(updated.data.changes).toEqual([
        { field: 'webhook.signingSecret', before: '<redacted>', after: '<redacted>' },
        { field: 'filters.channels', before: ['staging'], after: ['staging', 'production'] },
      ]);

      // The CLI's delivery log and test-send.
      const cli = await runCli(['notifications', '--notifier', 'staging-converged'], { url: server.url });
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(/staging-converged\s+CONVERGED\s+shop\/staging\s+DELIVERED\s+2/);
      const cliTest = await runCli(['notifications', 'test', 'approvals'], { url: server.url });
      expect(cliTest.stdout).toMatch(/Test notification queued for approvals/);
      const cliUnknown = await runCli(['notifications', 'test', 'nope'], { url: server.url });
      expect(cliUnknown.code).toBe(2);

      // Deleting a notifier is an event; it is gone from the list.
      const deleted = await server.data(`mutation { deleteNotifier(input: { name: "other-app" }) { deletedId userErrors { message } } }`);
      expect(deleted.deleteNotifier.userErrors).toEqual([]);
      expect((await server.data(`{ notifiers { name } }`)).notifiers.map((n: any) => n.name)).toEqual(['approvals', 'staging-converged']);
      const last = await server.data(`{ events(first: 1) { nodes { type actor message } } }`);
      expect(last.events.nodes[0]).toMatchObject({ type: 'NOTIFIER_DELETED', message: 'deleted notifier other-app' });
    } finally {
      await receiver.close();
    }
  });

});

describe('issue 14.3: a receiver that is down', () => {
  it('never slows the engine, and bad Notifier documents get precise errors', { timeout: 60_000 }, async () => {
    const receiver = await startReceiver();
    const deadUrl = receiver.url;
    await receiver.close(); // nothing listens there now
    await using server = await startTestServer({ engine: { steadyIntervalMs: 500, gatePollMs: 200 }, config: { notify: { retryBaseMs: 100, maxBackoffMs: 200, maxAttempts: 3, timeoutMs: 2_000 } } });
    const bad = await server.data(APPLY_CONFIG, { documents: `kind: Notifier\nname: x\nwebhook: { url: "ftp://nope" }\nformat: xml\nfilters: { events: [EXPLODED] }\n` });
    expect(bad.applyConfig.userErrors.map((e: any) => e.message).join('\n')).toMatch(/webhook\.url/);
    expect(bad.applyConfig.userErrors.map((e: any) => e.message).join('\n')).toMatch(/format/);
    expect(bad.applyConfig.userErrors.map((e: any) => e.message).join('\n')).toMatch(/events/);
    const ok = await server.data(APPLY_CONFIG, { documents: fakeConfig() + `---\nkind: Notifier\nname: dead\nwebhook: { url: "${deadUrl}/x" }\n` });
    expect(ok.applyConfig.userErrors).toEqual([]);
    const started = Date.now();
    await server.data(CREATE_RELEASE, { application: 'shop', service: 'web', params: { version: 'v1' } });
    await waitFor(async () => (await instances(server)).production?.status === 'CONVERGED', 'production converged', 30_000, 100);
    expect(Date.now() - started).toBeLessThan(20_000);
    const failed = await waitFor(async () => {
      const log = await server.data(DELIVERIES, { notifier: 'dead' });
      const nodes = log.notificationDeliveries.nodes;
      return nodes.length >= 2 && nodes.every((n: any) => n.status === 'FAILED') ? nodes : undefined;
    }, 'the deliveries to fail for good', 30_000, 200);
    expect(failed[0]).toMatchObject({ attempts: 3, lastStatusCode: null });
    expect(failed[0].lastError).toMatch(/could not reach the receiver/);
    expect(failed[0].lastError).not.toContain(deadUrl);
  });
});
