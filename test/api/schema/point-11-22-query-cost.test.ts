import { readFileSync } from 'node:fs';
import { print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../../helpers/config-text.js';
import { startTestServer } from '../../helpers/server.js';
import { wsClient } from '../../helpers/subscriptions.js';
import { InstanceSummary } from '../../../web/src/graphql/operations/fragments.js';
import { appNames, appsConfig } from './fixtures.js';

// The dashboard's own per-instance fragment (web/src/graphql/operations/fragments.ts), over every
// application at once: what a client listing 5 applications with their pipelines asks.
const fragments = (InstanceSummary as unknown as DocumentNode).definitions.map((d) => print(d)).join('\n');
const DASHBOARD = /* GraphQL */ `
  query Dashboard($first: Int) {
    applications(first: $first) {
      totalCount
      edges { cursor node { id name } }
      nodes {
        id name paused
        releaseChannels {
          id name position dependsOn paused
          runtime { id name plugin }
          gates { type summary settings }
          instances { ...InstanceSummary }
        }
      }
    }
  }
  ${fragments}
`;

const PREVIEW = /* GraphQL */ `
  query Preview($documents: String!) {
    previewConfig(input: { documents: $documents }) {
      changes { kind name action }
      applications { name channels { name runtime services { name paramsSource action desiredState { runtime plugin spec env params digest dependsOn gates { type summary settings } } userErrors { code message } } } }
      userErrors { code message path }
    }
  }
`;

function costOf(message: string): number {
  return Number(/query costs (\d+)/.exec(message)?.[1]);
}

describe('issue 10 point 11: the cost limit costs real page sizes and counts a connection once', () => {
  it('passes the dashboard query over 5 applications and a previewConfig of a 3-channel application', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const config = appsConfig(appNames(5));
    expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
    await server.data(CREATE_RELEASE, { application: 'app1', service: 'web', params: { version: 'v1' } });
    const dash = await server.gql(DASHBOARD, { first: 5 });
    expect(dash.errors).toBeUndefined();
    expect(dash.data.applications.nodes).toHaveLength(5);
    expect(dash.data.applications.nodes[0].releaseChannels[0].instances).toHaveLength(2);
    const preview = await server.gql(PREVIEW, { documents: appsConfig(['app1']) });
    expect(preview.errors).toBeUndefined();
    expect(preview.data.previewConfig.applications[0].channels).toHaveLength(3);
  });

  it('costs `first` from variables: 100000 is refused with its real cost, not capped silently', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const query = `query($n: Int) { applications(first: $n) { nodes { name } } }`;
    const refused = await server.gql(query, { n: 100_000 });
    expect(refused.status).toBe(400);
    expect(refused.errors![0].extensions!.code).toBe('QUERY_TOO_COSTLY');
    expect(costOf(refused.errors![0].message)).toBe(1 + 100_000 * 2);
    expect((await server.gql(query, { n: 5 })).errors).toBeUndefined();
  });

  it('applies the same limits over WebSocket, with the same codes', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const client = wsClient(server.url);
    const run = (query: string, variables: Record<string, unknown> = {}) =>
      new Promise<unknown[]>((resolve) => {
        const errors: unknown[] = [];
        client.subscribe({ query, variables }, { next: (v) => v.errors && errors.push(...v.errors), error: (e) => resolve([...errors, ...(Array.isArray(e) ? e : [e])]), complete: () => resolve(errors) });
      });
    try {
      const costly = (await run(`query($n: Int) { applications(first: $n) { nodes { name } } }`, { n: 100_000 })) as { message: string; extensions?: { code?: string } }[];
      expect(costly[0]!.extensions!.code).toBe('QUERY_TOO_COSTLY');
      expect(costOf(costly[0]!.message)).toBe(1 + 100_000 * 2);
      const aliased = (await run(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ')} }`)) as { extensions?: { code?: string } }[];
      expect(aliased[0]!.extensions!.code).toBe('QUERY_TOO_LARGE');
      expect(await run(`{ viewer { role } }`)).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('counts edges and nodes of one connection once', async () => {
    await using server = await startTestServer({ engine: { enabled: false }, config: { maxQueryCost: 50 } });
    // applications: 1 + 10 × (edges 1 + node 1 + name 1, nodes 1 + name 1) = 51
    const res = await server.gql(`{ applications(first: 10) { edges { node { name } } nodes { name } } }`);
    expect(costOf(res.errors![0].message)).toBe(51);
  });

  it('costs introspection and caps aliases and tokens', async () => {
    await using server = await startTestServer({ engine: { enabled: false }, config: { maxQueryCost: 1000 } });
    const deep = await server.gql(`{ __schema { types { fields { args { type { fields { name } } } } } } }`);
    expect(deep.errors![0].extensions!.code).toBe('QUERY_TOO_COSTLY');
    // __schema (1 + types (1 + 10 × fields (1 + 10 × args (1 + 10 × type (1 + fields (1 + 10 × name))))))
    expect(costOf(deep.errors![0].message)).toBe(1 + (1 + 10 * (1 + 10 * (1 + 10 * (1 + (1 + 10 * 1))))));
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ');
    const aliased = await server.gql(`{ ${aliases} }`);
    expect(aliased.status).toBe(400);
    expect(aliased.errors![0].extensions!.code).toBe('QUERY_TOO_LARGE');
    expect(aliased.errors![0].message).toMatch(/60 aliases; the limit is 50/);
    const tokens = await server.gql(`{ ${'__typename '.repeat(6000)} }`);
    expect(tokens.status).toBe(400);
    expect(tokens.errors![0].message).toMatch(/tokens/);
    expect((await server.data(`{ viewer { role } }`)).viewer.role).toBe('admin');
  });

  it('answers a response over the size limit with RESPONSE_TOO_LARGE', async () => {
    await using server = await startTestServer({ engine: { enabled: false }, config: { maxResponseBytes: 2000 } });
    const applied = await server.data(`mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { code } } }`, { d: appsConfig(appNames(5)) });
    expect(applied.applyConfig.userErrors).toEqual([]);
    const res = await server.gql(DASHBOARD, { first: 5 });
    expect(res.errors![0].extensions!.code).toBe('RESPONSE_TOO_LARGE');
    expect(res.data ?? null).toBeNull();
  });
});

describe('issue 10 point 22: nested fragments are measured in linear time', () => {
  // Each level spreads the one below under two aliases: the old rule re-walked every spread,
  // doubling its time per level (an 865-byte query blocked the event loop for 3 s).
  function doublingQuery(levels: number): string {
    const parts = ['fragment F0 on Application { name }'];
    for (let k = 1; k <= levels; k++) parts.push(`fragment F${k} on Application { a: services { application { ...F${k - 1} } } b: services { application { ...F${k - 1} } } }`);
    return `{ application(name: "x") { ...F${levels} } }\n${parts.join('\n')}`;
  }

  it('refuses a 2^n expansion with its exact cost, and merges a fragment spread twice at one level', async () => {
    await using server = await startTestServer({ engine: { enabled: false }, config: { maxQueryDepth: 100, maxQueryCost: 10 ** 30 } });
    const text = doublingQuery(10);
    expect(text.length).toBeLessThan(1200);
    // Each level: two aliases of services (1) + 10 × application (1 + the level below); F0 = name (1).
    let expected = 1;
    for (let k = 1; k <= 10; k++) expected = 2 * (1 + 10 * (1 + expected));
    const limited = await startTestServer({ engine: { enabled: false }, config: { maxQueryDepth: 100 } });
    try {
      const huge = await limited.gql(doublingQuery(40));
      expect(huge.errors![0].extensions!.code).toBe('QUERY_TOO_COSTLY');
      expect(huge.errors![0].message).toMatch(/costs more than 9007199254740991/);
      const res = await limited.gql(text);
      expect(res.errors![0].extensions!.code).toBe('QUERY_TOO_COSTLY');
      expect(costOf(res.errors![0].message)).toBe(1 + expected);
    } finally {
      await limited.close();
    }
    // Spreading the same fragment at one level many times merges: cost as once.
    const repeated = `{ viewer { ...V ...V ... on Viewer { ...V ...W } } } fragment V on Viewer { name role } fragment W on Viewer { ...V tokenId }`;
    expect((await server.gql(repeated)).errors).toBeUndefined();
    const res = await server.gql(`${repeated.replace('{ viewer', 'query Q { viewer')}`);
    expect(res.errors).toBeUndefined();
  });
});
