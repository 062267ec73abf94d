import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { appNames, appsConfig } from './fixtures.js';

const EVENTS = /* GraphQL */ `
  query($first: Int, $after: String) {
    events(first: $first, after: $after) { edges { cursor node { id message } } pageInfo { hasNextPage endCursor } }
  }
`;

async function release(server: TestServer, version: string): Promise<void> {
  const res = await server.data(`mutation($v: String!) { createRelease(input: { application: "app1", service: "web", params: { version: $v } }) { userErrors { code } } }`, { v: version });
  expect(res.createRelease.userErrors).toEqual([]);
}

describe('issue 10 point 10: keyset cursors bound to their connection; bad arguments are user errors', () => {
  it('paging events while events arrive returns every event once', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['app1']) });
    for (let i = 1; i <= 4; i++) await release(server, `v${i}`);
    const before = (await server.data(`{ events(first: 500) { nodes { id } } }`)).events.nodes.map((n: any) => n.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await server.data(EVENTS, { first: 2, after })).events;
      seen.push(...page.edges.map((e: any) => e.node.id));
      // Newer events arrive between pages: an offset would shift and repeat rows.
      await release(server, `x${seen.length}`);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);
  });

  it('pages applications by name and refuses invalid cursors, cursors of another connection and bad page sizes with BAD_USER_INPUT', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(appNames(3)) });
    const first = await server.data(`{ applications(first: 2) { nodes { name } pageInfo { hasNextPage endCursor } } }`);
    expect(first.applications.nodes.map((n: any) => n.name)).toEqual(['app1', 'app2']);
    const second = await server.data(`query($a: String) { applications(first: 2, after: $a) { nodes { name } pageInfo { hasNextPage hasPreviousPage } } }`, { a: first.applications.pageInfo.endCursor });
    expect(second.applications).toEqual({ nodes: [{ name: 'app3' }], pageInfo: { hasNextPage: false, hasPreviousPage: true } });

    const eventCursor = (await server.data(`{ events(first: 1) { pageInfo { endCursor } } }`)).events.pageInfo.endCursor;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [`query($a: String) { applications(after: $a) { nodes { name } } }`, { a: 'garbage' }, /not a cursor/],
      [`query($a: String) { applications(after: $a) { nodes { name } } }`, { a: eventCursor }, /another connection/],
      [`query($a: String) { application(name: "app2") { releases(after: $a) { nodes { id } } } }`, { a: first.applications.pageInfo.endCursor }, /another connection/],
      [`{ applications(first: -1) { nodes { name } } }`, {}, /first: -1 is not a page size/],
      [`{ applications(first: null) { nodes { name } } }`, {}, /null is not a page size/],
      [`query($n: Int) { events(first: $n) { nodes { id } } }`, { n: null }, /null is not a page size/],
      [`{ events(first: 501) { nodes { id } } }`, {}, /501 is not a page size/],
    ];
    for (const [query, variables, message] of cases) {
      const res = await server.gql(query, variables);
      expect(res.errors, query).toHaveLength(1);
      expect(res.errors![0].extensions!.code, query).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message, query).toMatch(message);
      expect((res.errors![0] as any).path, query).toBeDefined();
    }
  });

  it('Event implements Node and node(id:) refetches it', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['app1']) });
    const event = (await server.data(`{ events(first: 1) { nodes { id message } } }`)).events.nodes[0];
    const node = await server.data(`query($id: ID!) { node(id: $id) { __typename id ... on Event { message } } }`, { id: event.id });
    expect(node.node).toEqual({ __typename: 'Event', id: event.id, message: event.message });
  });
});
