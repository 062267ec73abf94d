import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { applyShop, APPROVE, eventsOf, FAST_ENGINE, REJECT, releaseOf, tokenFor } from './user-actions.fixtures.js';

afterEach(async () => {
  await control.reset();
});


async function productionOf(server: Awaited<ReturnType<typeof startTestServer>>) {
  const res = await server.data(`{ application(name: "shop") { releaseChannels { name instances { service { name } status reasons { code message } convergedRelease { label } } } } }`);
  const channel = res.application.releaseChannels.find((c: { name: string }) => c.name === 'production');
  return channel.instances.find((i: { service: { name: string } }) => i.service.name === 'web');
}

describe.each(DATABASES)('approveRelease and rejectRelease on %s', (database) => {
  it('viewers may not decide, out-of-scope tokens see no release, deployers may', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const v1 = await releaseOf(server, 'v1');
    const viewer = await tokenFor(server, 'vera', 'viewer');
    const otherDeployer = await tokenFor(server, 'olga', 'deployer', ['other']);
    const deployer = await tokenFor(server, 'alice', 'deployer');

    for (const op of [APPROVE, REJECT]) {
      const asViewer = await server.data(op, { release: v1, channel: 'production' }, viewer);
      const payload = asViewer.approveRelease ?? asViewer.rejectRelease;
      expect(payload.userErrors).toEqual([{ code: 'FORBIDDEN', message: expect.stringMatching(/role viewer cannot (approve|reject) releases/), path: ['release'] }]);
      expect(payload.release).toBeNull();
      const asOther = await server.data(op, { release: v1, channel: 'production' }, otherDeployer);
      expect((asOther.approveRelease ?? asOther.rejectRelease).userErrors).toEqual([{ code: 'NOT_FOUND', message: 'unknown release', path: ['release'] }]);
    }

    const ok = await server.data(APPROVE, { release: v1, channel: 'production', comment: 'looks good' }, deployer);
    expect(ok.approveRelease.userErrors).toEqual([]);
    expect(ok.approveRelease.release.label).toBe('v1');
    expect(ok.approveRelease.approvals).toEqual([{ actor: 'token:alice', decision: 'APPROVE', comment: 'looks good', createdAt: expect.any(String), channel: 'production' }]);

    const garbage = await server.data(APPROVE, { release: 'not-an-id', channel: 'production' }, deployer);
    expect(garbage.approveRelease.userErrors).toEqual([{ code: 'NOT_FOUND', message: 'unknown release', path: ['release'] }]);
  });

  it('approving twice is idempotent; two distinct approvers open the gate; Release.approvals shows them', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const v1 = await releaseOf(server, 'v1');
    const alice = await tokenFor(server, 'alice', 'deployer');
    const bob = await tokenFor(server, 'bob', 'deployer');

    const first = await server.data(APPROVE, { release: v1, channel: 'production' }, alice);
    const again = await server.data(APPROVE, { release: v1, channel: 'production', comment: 'twice' }, alice);
    expect(again.approveRelease.userErrors).toEqual([]);
    expect(again.approveRelease.approvals).toEqual(first.approveRelease.approvals);
    expect(await eventsOf(server, 'shop', 'RELEASE_APPROVED')).toHaveLength(1);

    // One approver of two: production says so, and waits.
    const waiting = await waitFor(async () => {
      const p = await productionOf(server);
      return p.reasons.some((r: { code: string }) => r.code === 'AWAITING_APPROVAL') ? p : undefined;
    }, 'production to await approval');
    expect(waiting.status).toBe('WAITING');

    const second = await server.data(APPROVE, { release: v1, channel: 'production' }, bob);
    expect(second.approveRelease.approvals.map((a: { actor: string }) => a.actor)).toEqual(['token:alice', 'token:bob']);

    const read = await server.data(`query($id: ID!) { node(id: $id) { ... on Release { approvals { actor decision channel } staging: approvals(channel: "staging") { actor } } } }`, { id: v1 });
    expect(read.node.approvals).toEqual([
      { actor: 'token:alice', decision: 'APPROVE', channel: 'production' },
      { actor: 'token:bob', decision: 'APPROVE', channel: 'production' },
    ]);
    expect(read.node.staging).toEqual([]);

    const approved = await eventsOf(server, 'shop', 'RELEASE_APPROVED');
    expect(approved.map((e) => e.actor).sort()).toEqual(['token:alice', 'token:bob']);
    expect(approved[0]!.subject).toBe('Release shop/web#1');
    expect(approved[0]!.data).toMatchObject({ channel: 'production', decision: 'APPROVE' });

    await waitFor(async () => ((await productionOf(server)).status === 'CONVERGED' ? true : undefined), 'production to converge on v1 after two approvals');
  });

  it('an approver may change their mind: the rejection replaces the approval', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const v1 = await releaseOf(server, 'v1');
    const alice = await tokenFor(server, 'alice', 'deployer');

    await server.data(APPROVE, { release: v1, channel: 'production' }, alice);
    const rejected = await server.data(REJECT, { release: v1, channel: 'production', comment: 'error rate too high' }, alice);
    expect(rejected.rejectRelease.userErrors).toEqual([]);
    expect(rejected.rejectRelease.approvals).toEqual([{ actor: 'token:alice', decision: 'REJECT', comment: 'error rate too high', createdAt: expect.any(String), channel: 'production' }]);
    const events = await eventsOf(server, 'shop', 'RELEASE_REJECTED');
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toContain('error rate too high');
  });

  it('refuses an unknown channel, a channel without a gate, and a release that is no longer desired', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const v1 = await releaseOf(server, 'v1');

    const unknown = await server.data(APPROVE, { release: v1, channel: 'prod' });
    expect(unknown.approveRelease.userErrors).toEqual([{ code: 'NOT_FOUND', message: 'application shop has no channel "prod"; its channels are staging, production', path: ['channel'] }]);

    const ungated = await server.data(APPROVE, { release: v1, channel: 'staging' });
    expect(ungated.approveRelease.userErrors).toEqual([{ code: 'INVALID_INPUT', message: 'release v1 has no manualApproval gate in channel staging', path: ['channel'] }]);

    await releaseOf(server, 'v2');
    const stale = await server.data(REJECT, { release: v1, channel: 'production' });
    expect(stale.rejectRelease.userErrors).toEqual([{ code: 'INVALID_INPUT', message: 'release v1 is no longer the desired release in production (v2 is)', path: ['release'] }]);
    expect(await eventsOf(server, 'shop', 'RELEASE_REJECTED')).toEqual([]);
  });
});
