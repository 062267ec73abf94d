import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../helpers/config-text.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const OTHER_APP = `kind: Application
name: other
releaseChannels:
  - { name: dev, runtime: local }
---
kind: Service
name: api
application: other
parameters: [{ name: version, required: true }]
spec: { command: node, args: [x.js] }
`;

async function token(server: TestServer, role: string, applications?: string[]): Promise<string> {
  const res = await server.data(
    `mutation($n: String!, $r: Role!, $a: [String!]) { createApiToken(input: { name: $n, role: $r, applications: $a }) { secret apiToken { id role applications } userErrors { message } } }`,
    { n: `${role}-${applications?.join('-') ?? 'all'}`, r: role, a: applications ?? null },
  );
  expect(res.createApiToken.userErrors).toEqual([]);
  return res.createApiToken.secret;
}

/** What each operation returns for a token: 'ok', 'forbidden' (user error) or 'hidden' (not visible). */
async function attempt(server: TestServer, secret: string, op: string): Promise<string> {
  switch (op) {
    case 'read hello': {
      const r = await server.data(`{ application(name: "hello") { name } }`, {}, secret);
      return r.application ? 'ok' : 'hidden';
    }
    case 'read other': {
      const r = await server.data(`{ application(name: "other") { name } }`, {}, secret);
      return r.application ? 'ok' : 'hidden';
    }
    case 'apply config': {
      const r = await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG.replace('replicas: 2', 'replicas: 4') }, secret);
      return r.applyConfig.userErrors.length ? r.applyConfig.userErrors[0].code : 'ok';
    }
    case 'release hello': {
      const r = await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v1' } }, secret);
      return r.createRelease.userErrors.length ? r.createRelease.userErrors[0].code : 'ok';
    }
    case 'release other': {
      const r = await server.data(CREATE_RELEASE, { application: 'other', service: 'api', params: { version: 'v1' } }, secret);
      return r.createRelease.userErrors.length ? r.createRelease.userErrors[0].code : 'ok';
    }
    case 'create token': {
      const r = await server.data(`mutation { createApiToken(input: { name: "x", role: viewer }) { userErrors { code } } }`, {}, secret);
      return r.createApiToken.userErrors.length ? r.createApiToken.userErrors[0].code : 'ok';
    }
    default:
      throw new Error(op);
  }
}

const MATRIX: { who: string; role: string; apps?: string[]; expect: Record<string, string> }[] = [
  { who: 'admin', role: 'admin', expect: { 'read hello': 'ok', 'read other': 'ok', 'apply config': 'ok', 'release hello': 'ok', 'release other': 'ok', 'create token': 'ok' } },
  { who: 'deployer', role: 'deployer', expect: { 'read hello': 'ok', 'read other': 'ok', 'apply config': 'FORBIDDEN', 'release hello': 'ok', 'release other': 'ok', 'create token': 'FORBIDDEN' } },
  { who: 'viewer', role: 'viewer', expect: { 'read hello': 'ok', 'read other': 'ok', 'apply config': 'FORBIDDEN', 'release hello': 'FORBIDDEN', 'release other': 'FORBIDDEN', 'create token': 'FORBIDDEN' } },
  {
    who: 'deployer limited to hello',
    role: 'deployer',
    apps: ['hello'],
    expect: { 'read hello': 'ok', 'read other': 'hidden', 'apply config': 'FORBIDDEN', 'release hello': 'ok', 'release other': 'NOT_FOUND', 'create token': 'FORBIDDEN' },
  },
  {
    who: 'admin limited to other',
    role: 'admin',
    apps: ['other'],
    // The hello config also holds the shared `local` runtime, which a scoped token may not change.
    expect: { 'read hello': 'hidden', 'read other': 'ok', 'apply config': 'FORBIDDEN', 'release hello': 'NOT_FOUND', 'release other': 'ok', 'create token': 'FORBIDDEN' },
  },
];

describe.each(DATABASES)('authentication and roles on %s', (database) => {
  it('each role and application scope gets exactly its rights', async () => {
    // No engine: the releases made here must not start the hello app on this machine's port 8100.
    await using server = await startTestServer({ database, engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG + '---\n' + OTHER_APP });
    for (const row of MATRIX) {
      const secret = await token(server, row.role, row.apps);
      const got: Record<string, string> = {};
      for (const op of Object.keys(row.expect)) got[op] = await attempt(server, secret, op);
      expect({ who: row.who, got }).toEqual({ who: row.who, got: row.expect });
    }
  });

  it('a scoped token cannot reach other applications through node(id:), lists or history', async () => {
    await using server = await startTestServer({ database });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG + '---\n' + OTHER_APP });
    const ids = await server.data(`{ application(name: "other") { id services { id instances { id } } releaseChannels { id } } }`);
    const scoped = await token(server, 'viewer', ['hello']);
    const other = ids.application;
    for (const id of [other.id, other.services[0].id, other.services[0].instances[0].id, other.releaseChannels[0].id]) {
      const res = await server.data(`query($id: ID!) { node(id: $id) { id } }`, { id }, scoped);
      expect(res.node).toBeNull();
    }
    const list = await server.data(`{ applications { totalCount nodes { name } } events { nodes { subject } } }`, {}, scoped);
    expect(list.applications).toEqual({ totalCount: 1, nodes: [{ name: 'hello' }] });
    expect(list.events.nodes.every((e: any) => !e.subject.includes('other'))).toBe(true);
    // The admin token sees the same object.
    expect((await server.data(`query($id: ID!) { node(id: $id) { id } }`, { id: other.id })).node).toEqual({ id: other.id });
  });

  it('missing, invalid and revoked tokens get 401 with the reason', async () => {
    await using server = await startTestServer({ database });
    const none = await server.gql(`{ viewer { role } }`, {}, null);
    expect(none.status).toBe(401);
    expect(none.errors![0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(none.errors![0].message).toMatch(/Authorization: Bearer/);

    const bad = await server.gql(`{ viewer { role } }`, {}, 'dl_not_a_real_token');
    expect(bad.status).toBe(401);
    expect(bad.errors![0].message).toBe('invalid token');

    const secret = await token(server, 'viewer');
    expect((await server.data(`{ viewer { role name } }`, {}, secret)).viewer).toEqual({ role: 'viewer', name: 'viewer-all' });
    const { apiTokens } = await server.data(`{ apiTokens { id name prefix revokedAt } }`);
    const created = apiTokens.find((t: any) => t.name === 'viewer-all');
    expect(secret.startsWith(created.prefix)).toBe(true);
    const revoked = await server.data(`mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } userErrors { code } } }`, { id: created.id });
    expect(revoked.revokeApiToken.apiToken.revokedAt).toBeTruthy();
    const after = await server.gql(`{ viewer { role } }`, {}, secret);
    expect(after.status).toBe(401);
    expect(after.errors![0].message).toMatch(/revoked/);
  });

  it('stores only token hashes and never returns a secret twice', async () => {
    await using server = await startTestServer({ database });
    const secret = await token(server, 'deployer');
    const em = server.driftless.store.orm.em.fork();
    const rows = await em.getConnection().execute('select * from api_tokens');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(ADMIN_TOKEN);
    const listed = JSON.stringify(await server.data(`{ apiTokens { id name prefix role applications createdBy createdAt revokedAt } }`));
    expect(listed).not.toContain(secret);
  });
});

describe('first start', () => {
  it('creates an admin token when none is configured, once', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(`${tmpdir()}/driftless-first-`);
    let generated: string | undefined;
    {
      await using server = await startTestServer({ dataDir, config: { adminToken: undefined } });
      generated = server.driftless.generatedAdminToken;
      expect(generated).toMatch(/^dl_[A-Za-z0-9_-]{40,}$/);
      expect((await server.data(`{ viewer { role } }`, {}, generated)).viewer.role).toBe('admin');
    }
    await using again = await startTestServer({ dataDir, config: { adminToken: undefined } });
    expect(again.driftless.generatedAdminToken).toBeUndefined();
    expect((await again.data(`{ viewer { role } }`, {}, generated)).viewer.role).toBe('admin');
  });
});
