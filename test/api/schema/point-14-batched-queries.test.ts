import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { DATABASES } from '../../helpers/databases.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { appNames, appsConfig } from './fixtures.js';

// Every batched field at once, nested under every application.
const NESTED = /* GraphQL */ `
  {
    applications(first: 20) {
      nodes {
        name
        services {
          name
          latestRelease { label approvals { decision channel } }
          releases(first: 5) { nodes { label approvals { decision } } }
        }
        releaseChannels { name runtime { name usedBy } instances { status desiredRelease { label approvals { channel } } } }
        releases(first: 10) { totalCount nodes { label service { name } } }
      }
    }
    runtimes { name usedBy }
  }
`;

async function statementsOf(server: TestServer, query: string): Promise<{ count: number; sqls: string[]; data: any }> {
  const knex = (server.driftless.store.orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
  const sqls: string[] = [];
  const onQuery = (q: { sql: string }) => void sqls.push(q.sql);
  knex.on('query', onQuery);
  try {
    const data = await server.data(query);
    return { count: sqls.length, sqls, data };
  } finally {
    knex.off('query', onQuery);
  }
}

async function serverWith(database: (typeof DATABASES)[number], apps: number): Promise<TestServer> {
  const server = await startTestServer({ database, engine: { enabled: false } });
  const names = appNames(apps);
  expect((await server.data(APPLY_CONFIG, { documents: appsConfig(names) })).applyConfig.userErrors).toEqual([]);
  for (const app of names) {
    for (const version of ['v1', 'v2']) {
      const res = await server.data(`mutation($a: String!, $v: String!) { createRelease(input: { application: $a, service: "web", params: { version: $v } }) { userErrors { code } } }`, { a: app, v: version });
      expect(res.createRelease.userErrors).toEqual([]);
    }
    const release = await server.data(`query($a: String!) { application(name: $a) { services { name latestRelease { id } } } }`, { a: app });
    const web = release.application.services.find((s: any) => s.name === 'web');
    await server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { code } } }`, { r: web.latestRelease.id });
  }
  return server;
}

describe.each(DATABASES)('issue 10 point 14: a nested query costs the same statements at 2 and at 10 applications (%s)', (database) => {
  it('batches latestRelease, releases (counting only for totalCount), approvals and usedBy', { timeout: 120_000 }, async () => {
    await using two = await serverWith(database, 2);
    await using ten = await serverWith(database, 10);
    const small = await statementsOf(two, NESTED);
    const large = await statementsOf(ten, NESTED);
    expect(small.data.applications.nodes).toHaveLength(2);
    expect(large.data.applications.nodes).toHaveLength(10);
    const app = large.data.applications.nodes[3];
    expect(app.services.find((s: any) => s.name === 'web').latestRelease).toEqual({ label: 'v2', approvals: [{ decision: 'APPROVE', channel: 'production' }] });
    expect(app.releases.totalCount).toBe(2);
    expect(large.data.runtimes[0].usedBy).toHaveLength(30);
    // DataLoader batches what is asked for in one event-loop turn: when two parents' rows arrive in
    // the same turn their children share a batch, so the count can differ by such a merge (one or
    // two statements) from run to run, never with the number of applications (an N+1 would add 8
    // per batched field here).
    expect(Math.abs(large.count - small.count)).toBeLessThanOrEqual(2);
    expect(large.count).toBeLessThanOrEqual(24);
    // And without totalCount there is no count statement at all.
    const noTotal = await statementsOf(ten, NESTED.replace('totalCount ', ''));
    expect(large.sqls.filter((q) => /count\(\*\)/i.test(q))).toHaveLength(1);
    expect(noTotal.sqls.filter((q) => /count\(\*\)/i.test(q))).toHaveLength(0);
  });
});
