import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { applyShop, APPROVE, FAST_ENGINE, releaseOf, rowId, tokenFor } from './user-actions.fixtures.js';

afterEach(async () => {
  await control.reset();
});

interface Stream {
  results: { data?: any; errors?: any[] }[];
  /** What the sink's error callback got: GraphQL errors, or the CloseEvent of a refused socket. */
  failure?: any;
  stop(): void;
}

function connect(server: TestServer, token: string): Client & AsyncDisposable {
  const client = createClient({
    url: `${server.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.dispose() as Promise<void> });
}

function subscribe(client: Client, query: string, variables: Record<string, unknown>): Stream {
  const stream: Stream = { results: [], stop: () => undefined };
  stream.stop = client.subscribe({ query, variables }, {
    next: (result) => void stream.results.push(result as Stream['results'][number]),
    error: (err) => void (stream.failure = err),
    complete: () => undefined,
  });
  return stream;
}

function nextMatching<T>(stream: Stream, pick: (data: any) => T | undefined, what: string): Promise<T> {
  return waitFor(async () => {
    if (stream.failure) throw new Error(`subscription failed: ${JSON.stringify(stream.failure)}`);
    for (const r of stream.results) {
      const hit = r.data && pick(r.data);
      if (hit) return hit;
    }
    return undefined;
  }, what);
}

/** graphql-ws does not acknowledge a subscription; publish harmless probes until one arrives. */
async function untilLive(stream: Stream, probe: () => void): Promise<void> {
  await waitFor(async () => {
    if (stream.failure) throw new Error(`subscription failed: ${JSON.stringify(stream.failure)}`);
    if (stream.results.length) return true;
    probe();
    return undefined;
  }, 'the subscription to be live');
  stream.results.length = 0;
}

async function shopId(server: TestServer): Promise<string> {
  return rowId((await server.data(`{ application(name: "shop") { id } }`)).application.id);
}

const EVENTS = `subscription($a: String!) { convergenceEvents(application: $a) { id at type actor subject message data } }`;
const INSTANCES = `subscription($a: String!) { serviceInstanceChanged(application: $a) { id status service { name } channel { name } desiredRelease { label } convergedRelease { label } } }`;
const PROGRESS = `subscription($r: ID!) { releaseProgress(releaseId: $r) { id label instances { status channel { name } convergedRelease { label } } } }`;

describe.each(DATABASES)('subscriptions over graphql-ws on %s', (database) => {
  it('refuses a connection with a bad token (4403)', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await using client = connect(server, 'dl_not_a_token');
    const stream = subscribe(client, EVENTS, { a: 'shop' });
    const failure = await waitFor(async () => stream.failure, 'the socket to close');
    expect(failure.code).toBe(4403);
  });

  it('a scoped token cannot subscribe to another application or its releases, and cannot tell it exists', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const v1 = await releaseOf(server, 'v1');
    await using client = connect(server, await tokenFor(server, 'olga', 'viewer', ['other']));

    for (const [query, variables, message] of [
      [EVENTS, { a: 'shop' }, 'unknown application "shop"'],
      [EVENTS, { a: 'nope' }, 'unknown application "nope"'],
      [INSTANCES, { a: 'shop' }, 'unknown application "shop"'],
      [PROGRESS, { r: v1 }, 'unknown release'],
    ] as const) {
      // A stream that cannot start answers once with errors, then completes (graphql-ws semantics).
      const stream = subscribe(client, query, variables);
      const refused = await waitFor(async () => stream.results[0], `${query} to be refused`);
      expect(refused.data).toBeUndefined();
      expect(refused.errors).toEqual([expect.objectContaining({ message, extensions: { code: 'NOT_FOUND' } })]);
    }

    // Its own application works, and never carries shop's events.
    const own = subscribe(client, EVENTS, { a: 'other' });
    const otherId = rowId((await server.data(`{ application(name: "other") { id } }`)).application.id);
    const probe = { id: null, at: Date.now(), applicationId: otherId, type: 'APPLICATION_UPDATED', actor: 'test', subject: 'Application other', subjectId: otherId, message: 'probe', data: null };
    await untilLive(own, () => server.driftless.live.publish('EVENT', probe));
    await server.data(APPROVE, { release: v1, channel: 'production' });
    await server.data(`mutation { pauseConvergence(input: { application: "other" }) { userErrors { message } } }`);
    const paused = await nextMatching(own, (d) => (d.convergenceEvents.type === 'CONVERGENCE_PAUSED' ? d.convergenceEvents : undefined), 'other to be paused');
    expect(paused.subject).toBe('Application other');
    expect(own.results.map((r) => r.data?.convergenceEvents.type)).not.toContain('RELEASE_APPROVED');
    own.stop();
  });

  it('convergenceEvents delivers the event of an approveRelease as it commits', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const v1 = await releaseOf(server, 'v1');
    const id = await shopId(server);
    await using client = connect(server, await tokenFor(server, 'vera', 'viewer', ['shop']));
    const stream = subscribe(client, EVENTS, { a: 'shop' });
    await untilLive(stream, () =>
      server.driftless.live.publish('EVENT', { id: null, at: Date.now(), applicationId: id, type: 'APPLICATION_UPDATED', actor: 'test', subject: 'Application shop', subjectId: id, message: 'probe', data: null }),
    );

    const alice = await tokenFor(server, 'alice', 'deployer');
    await server.data(APPROVE, { release: v1, channel: 'production', comment: 'ship it' }, alice);
    const event = await nextMatching(stream, (d) => (d.convergenceEvents.type === 'RELEASE_APPROVED' ? d.convergenceEvents : undefined), 'RELEASE_APPROVED');
    expect(event).toMatchObject({ actor: 'token:alice', subject: 'Release shop/web#1', message: 'token:alice approved v1 of web for production: ship it', data: { channel: 'production', decision: 'APPROVE' } });
    // The stored event's global id: clients can match it with `events` and refetch it with node(id:).
    expect(Buffer.from(event.id, 'base64url').toString()).toMatch(/^Event:\d+$/);
    stream.stop();
  });

  it('serviceInstanceChanged and releaseProgress follow a release through staging', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    await using client = connect(server, ADMIN_TOKEN);
    const instances = subscribe(client, INSTANCES, { a: 'shop' });
    const id = await shopId(server);
    const stagingWeb = (await server.data(`{ application(name: "shop") { releaseChannels { instances { id service { name } } } } }`)).application.releaseChannels[0].instances.find((i: any) => i.service.name === 'web');
    await untilLive(instances, () => server.driftless.live.publish('INSTANCE_CHANGED', { applicationId: id, instanceId: rowId(stagingWeb.id), releaseIds: [] }));

    const v1 = await releaseOf(server, 'v1');
    const progress = subscribe(client, PROGRESS, { r: v1 });
    const converged = await nextMatching(
      instances,
      (d) => (d.serviceInstanceChanged.status === 'CONVERGED' && d.serviceInstanceChanged.service.name === 'web' ? d.serviceInstanceChanged : undefined),
      'staging/web to converge',
    );
    expect(converged).toMatchObject({ id: stagingWeb.id, channel: { name: 'staging' }, desiredRelease: { label: 'v1' }, convergedRelease: { label: 'v1' } });

    // releaseProgress shows v1 per channel: converged in staging, waiting for approvers in production.
    const seen = await nextMatching(
      progress,
      (d) => (d.releaseProgress.instances.some((i: any) => i.channel.name === 'staging' && i.status === 'CONVERGED') ? d.releaseProgress : undefined),
      'progress of v1 to show staging converged',
    );
    expect(seen).toMatchObject({ id: v1, label: 'v1' });
    expect(seen.instances.map((i: any) => i.channel.name).sort()).toEqual(['production', 'staging']);

    // A second release: each payload reads fresh rows, never what the subscription saw first.
    await releaseOf(server, 'v2');
    await nextMatching(instances, (d) => (d.serviceInstanceChanged.convergedRelease?.label === 'v2' ? true : undefined), 'staging/web to converge on v2');
    instances.stop();
    progress.stop();
  });
});
