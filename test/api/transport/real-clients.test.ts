import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client as UrqlClient, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { serverAudits } from 'graphql-http';
import { pipe, subscribe as wonkaSubscribe } from 'wonka';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../server/config.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../../helpers/server.js';

const RUNTIME = `kind: Runtime
name: mem
plugin: fake
`;
const APPLY = 'mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { message } } }';

/**
 * SHOULD audits of the GraphQL-over-HTTP spec that this server does not meet, on purpose (docs/api.md,
 * "GraphQL over HTTP"): a request that never executes (parse, validation or variable errors) is
 * answered 400 also under `Accept: application/json`, where the spec's legacy mode prefers 200. The
 * status then says what the body says, the same under both media types, and the clients we test
 * (Apollo Client, urql, graphql-ws) read the errors either way. Everything else, and every MUST, passes.
 */
const ACCEPTED_SHOULD_WARNINGS = new Set<string>([
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
]);

describe('real GraphQL clients against a real server (issue 10)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { engine: { ...configFromEnv({}).engine, enabled: false } } });
    await server.data(APPLY, { d: RUNTIME });
  });
  afterAll(() => server?.close());

  it('issue 10 point 8: urql with its defaults (queries as GET without a content-type) works with a bearer token', async () => {
    const methods: string[] = [];
    const client = new UrqlClient({
      url: `${server.url}/graphql`,
      exchanges: [fetchExchange],
      fetchOptions: { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
      fetch: (input, init) => {
        methods.push(init?.method ?? 'GET');
        return fetch(input, init);
      },
    });
    const result = await client.query('{ viewer { name role } runtimes { name plugin } }', {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ viewer: { name: 'admin', role: 'admin' }, runtimes: [{ name: 'mem', plugin: 'fake' }] });
    expect(methods).toEqual(['GET']);
    // Mutations go as POST and work; a mutation over GET is refused (405), GET only reads.
    const mutation = await client.mutation('mutation { pauseConvergence(input: { application: "nope" }) { userErrors { code } } }', {}).toPromise();
    expect(mutation.error).toBeUndefined();
    expect(methods[1]).toBe('POST');
    const overGet = await fetch(`${server.url}/graphql?query=${encodeURIComponent('mutation { pauseConvergence(input: { application: "nope" }) { userErrors { code } } }')}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(overGet.status).toBe(405);
  });

  it('urql subscriptions through graphql-ws', async () => {
    const wsClient = createWsClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ADMIN_TOKEN}` }, retryAttempts: 0 });
    const client = new UrqlClient({
      url: `${server.url}/graphql`,
      fetchOptions: { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
      exchanges: [
        subscriptionExchange({
          enableAllOperations: true,
          forwardSubscription: (request) => ({ subscribe: (sink) => ({ unsubscribe: wsClient.subscribe({ ...request, query: request.query ?? '' }, sink) }) }),
        }),
      ],
    });
    const result = await new Promise<any>((resolve) => {
      const { unsubscribe } = pipe(
        client.query('{ viewer { role } }', {}),
        wonkaSubscribe((r) => {
          resolve(r);
          queueMicrotask(() => unsubscribe());
        }),
      );
    });
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ viewer: { role: 'admin' } });
    await wsClient.dispose();
  });

  it('Apollo Client 4: queries (POST and GET), a mutation, errors as ApolloError', async () => {
    for (const useGETForQueries of [false, true]) {
      const client = new ApolloClient({ link: new HttpLink({ uri: `${server.url}/graphql`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, useGETForQueries }), cache: new InMemoryCache() });
      const { data } = await client.query({ query: gql`{ runtimes { id name plugin } }` });
      expect(data).toEqual({ runtimes: [{ __typename: 'Runtime', id: expect.any(String), name: 'mem', plugin: 'fake' }] });
      const mutated = await client.mutate({ mutation: gql`mutation { pauseConvergence(input: { application: "nope" }) { userErrors { code } } }` });
      expect(mutated.error).toBeUndefined();
      await expect(client.query({ query: gql`{ nope }` })).rejects.toThrow(/nope/);
      client.stop();
    }
    // Without a token: a 401 the client reports, no data.
    const anonymous = new ApolloClient({ link: new HttpLink({ uri: `${server.url}/graphql`, useGETForQueries: true }), cache: new InMemoryCache() });
    await expect(anonymous.query({ query: gql`{ runtimes { id name } }` })).rejects.toThrow(/401|token/);
    anonymous.stop();
  });

  it('graphql-http audit: 0 MUST failures, only the SHOULD warnings decided on and documented', async () => {
    const authedFetch = (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), authorization: `Bearer ${ADMIN_TOKEN}` } });
    const results = await Promise.all(serverAudits({ url: `${server.url}/graphql`, fetchFn: authedFetch }).map((audit) => audit.fn()));
    const failures = results.filter((r) => r.status !== 'ok').map((r) => `${r.status}: ${r.name}${'reason' in r ? ` (${r.reason})` : ''}`);
    expect(failures.filter((f) => f.startsWith('error'))).toEqual([]);
    expect(results.filter((r) => r.status !== 'ok' && !ACCEPTED_SHOULD_WARNINGS.has(r.name)).map((r) => r.name)).toEqual([]);
    expect(results.length).toBeGreaterThan(30);
  });
});
