import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../server/config.js';
import { ApiTokenRow } from '../../../server/store/entities/index.js';
import { createPostgresDatabase, DATABASES } from '../../helpers/databases.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { tokenFor } from '../user-actions.fixtures.js';
import { rawSocket } from './raw-ws.js';

const NO_ENGINE = { ...configFromEnv({}).engine, enabled: false };
const EVENTS = `subscription { convergenceEvents(application: "nope") { id } }`;

async function tokenId(server: TestServer, name: string): Promise<string> {
  const res = await server.data(`{ apiTokens { id name } }`);
  return res.apiTokens.find((t: { name: string }) => t.name === name).id;
}

async function revoke(server: TestServer, name: string): Promise<void> {
  const res = await server.data(`mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { message } } }`, { id: await tokenId(server, name) });
  expect(res.revokeApiToken.userErrors).toEqual([]);
}

describe('WebSocket authentication (issue 10)', () => {
  it('issue 10 point 2: revoking a token closes its open WebSockets at once; other tokens keep theirs', async () => {
    await using server = await startTestServer({ config: { engine: NO_ENGINE } });
    const doomed = await tokenFor(server, 'doomed', 'viewer');
    const kept = await tokenFor(server, 'kept', 'viewer');
    const a = await rawSocket(server.url, doomed);
    const b = await rawSocket(server.url, doomed);
    const c = await rawSocket(server.url, kept);
    a.send({ id: '1', type: 'subscribe', payload: { query: `subscription { convergenceEvents { id } }` } });
    await revoke(server, 'doomed');
    for (const s of [a, b]) expect((await s.whenClosed(5000)).code).toBe(4401);
    c.send({ id: 'q', type: 'subscribe', payload: { query: '{ viewer { name } }' } });
    const answer = await c.answer('q');
    expect(answer[0].payload.data.viewer.name).toBe('kept');
    expect(c.closed).toBeUndefined();
    await c.close();
  });

  it('issue 10 point 2: the token is checked again before every operation', async () => {
    await using server = await startTestServer({ config: { engine: NO_ENGINE } });
    const secret = await tokenFor(server, 'sneaky', 'viewer');
    const s = await rawSocket(server.url, secret);
    s.send({ id: 'before', type: 'subscribe', payload: { query: '{ viewer { name } }' } });
    expect((await s.answer('before'))[0].payload.data.viewer.name).toBe('sneaky');
    // Revoked behind the server's back (no live notice reaches the socket): the next operation is refused.
    await server.driftless.store.orm.em.fork().nativeUpdate(ApiTokenRow, { name: 'sneaky' }, { revokedAt: new Date() });
    s.send({ id: 'after', type: 'subscribe', payload: { query: '{ viewer { name } }' } });
    const refused = await s.answer('after');
    expect(refused).toEqual([{ id: 'after', type: 'error', payload: [{ message: 'token "sneaky" was revoked', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    expect((await s.whenClosed()).code).toBe(4401);
  });

  it('issue 10 point 2: a scope change refuses the next operation too', async () => {
    await using server = await startTestServer({ config: { engine: NO_ENGINE } });
    const secret = await tokenFor(server, 'narrowed', 'deployer');
    const s = await rawSocket(server.url, secret);
    const em = server.driftless.store.orm.em.fork();
    const row = await em.findOneOrFail(ApiTokenRow, { name: 'narrowed' });
    row.applications = ['only-this'];
    await em.flush();
    s.send({ id: '1', type: 'subscribe', payload: { query: EVENTS } });
    const refused = await s.answer('1').catch((err) => {
      throw new Error(`${err}: ${JSON.stringify(s.messages)} ${JSON.stringify(s.closed)}`);
    });
    expect(refused[0].payload[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await s.whenClosed()).code).toBe(4401);
  });

  // Replicas share only PostgreSQL (databases.ts says so when it is not running).
  if (DATABASES.includes('postgresql')) it('issue 10 point 2: a revoke on one replica closes the sockets on another (PostgreSQL)', async () => {
    const db = await createPostgresDatabase();
    try {
      await using one = await startTestServer({ databaseUrl: db.url, config: { engine: NO_ENGINE } });
      await using two = await startTestServer({ databaseUrl: db.url, config: { engine: NO_ENGINE } });
      const secret = await tokenFor(one, 'roaming', 'viewer');
      const onTwo = await rawSocket(two.url, secret);
      expect(onTwo.closed).toBeUndefined();
      await revoke(one, 'roaming');
      expect((await onTwo.whenClosed(5000)).code).toBe(4401);
    } finally {
      await db.drop();
    }
  });

  it('issue 10 point 24: WebSockets per token are bounded; another token still connects', async () => {
    await using server = await startTestServer({ config: { engine: NO_ENGINE, transport: { ...configFromEnv({}).transport, maxSocketsPerToken: 3 } } });
    const secret = await tokenFor(server, 'greedy', 'viewer');
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await rawSocket(server.url, secret));
    expect(open.every((s) => !s.closed)).toBe(true);
    const fourth = await rawSocket(server.url, secret);
    expect((await fourth.whenClosed()).code).toBe(4429);
    const other = await rawSocket(server.url, await tokenFor(server, 'modest', 'viewer'));
    expect(other.closed).toBeUndefined();
    // A closed socket frees its place.
    await open.pop()!.close();
    const again = await rawSocket(server.url, secret);
    expect(again.closed).toBeUndefined();
    for (const s of [...open, other, again]) await s.close();
  });
});
