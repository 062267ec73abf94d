import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../server/config.js';
import { ADMIN_TOKEN, startTestServer } from '../../helpers/server.js';
import { rawSocket } from './raw-ws.js';

/**
 * A seeded, bounded fuzz of the transport: a few thousand generated HTTP requests and WebSocket
 * messages, hostile in shape (methods, headers, bodies, queries, variables, persisted queries,
 * NUL bytes, deep nesting, big strings), with and without a token. Whatever comes back: no 5xx,
 * no stack trace or file path, no crash, and memory that stays bounded. The seed is printed; set
 * FUZZ_SEED to replay a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const HTTP_REQUESTS = 2500;
const WS_MESSAGES = 1500;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STACK_OR_PATH = /\n\s+at |\bat [\w.<>]+ \(|\/(?:work|home|tmp|srv|usr)\/|node_modules|[\w-]+\.(?:ts|js|mjs|cjs):\d+/;

function generators(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(int(0x3000))).join('');
  const fields = ['viewer { name role }', 'runtimes { name plugin labels }', 'runtimePlugins { name status }', 'apiTokens { id name }', 'applications(first: 5) { totalCount nodes { name } }', 'events(first: 3) { nodes { type } }', '__typename', '__schema { queryType { name } }'];
  const values = () => pick([`"${junk(int(20))}"`, '"\\u0000"', String(int(1e9) - 5e8), '-1', 'null', 'true', '[1,2]', '{a: 1}', '$v', `"${'x'.repeat(int(5000))}"`]);
  const query = (): string =>
    rand() < 0.4 ? `{ ${Array.from({ length: 1 + int(3) }, () => pick(fields)).join(' ')} }` : pick([
      () => `{ ${Array.from({ length: 1 + int(4) }, () => pick(fields)).join(' ')} }`,
      () => `{ application(name: ${values()}) { name services { name } } }`,
      () => `{ node(id: ${values()}) { id } }`,
      () => `query($v: ${pick(['Int', 'String!', '[ID!]', 'JSON', 'Nope'])}) { applications(first: $v) { totalCount } }`,
      () => `{ ${'applications { nodes { '.repeat(1 + int(8))}name${' } }'.repeat(1 + int(8))} }`,
      () => `{ ${Array.from({ length: int(300) }, (_, i) => `a${i}: viewer { name }`).join(' ')} }`,
      () => `query { previewConfig(input: { documents: ${JSON.stringify(pick(['kind: Application\nname: x', 'a: &a [*a]', '- - -', junk(50), 'kind: Runtime\nname: r\nplugin: fake\nconfig: { x: *y }']))} }) { diagnostics { message } } }`,
      () => `mutation { revokeApiToken(input: { id: ${values()} }) { userErrors { code } } }`,
      () => `subscription { convergenceEvents(application: ${values()}) { id } }`,
      () => junk(int(200)),
      () => `{ viewer { ${'name '.repeat(int(50))} } } fragment F on Query { ...F }`,
    ])();
  const variables = () => pick([undefined, {}, { v: int(100000) }, { v: junk(int(100)) }, { v: 'x'.repeat(int(50_000)) }, { v: [null, {}, []] }, 'not-an-object', [1, 2], null]);
  const body = (): string | undefined =>
    pick([
      () => JSON.stringify({ query: query(), variables: variables() }),
      () => JSON.stringify({ query: query(), operationName: pick([null, 'X', junk(5), 42]) }),
      () => JSON.stringify({ query: pick([null, 42, [], {}]) }),
      () => JSON.stringify({ extensions: { persistedQuery: { version: pick([1, 2, '1', null]), sha256Hash: pick(['a'.repeat(64), junk(10), 42]) } }, query: pick([undefined, query()]) }),
      () => JSON.stringify([{ query: query() }, { query: query() }]),
      () => `{"query": "${junk(int(40))}`,
      () => junk(int(300)),
      () => JSON.stringify({ query: '{ viewer { name } }', variables: JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`) }),
      () => undefined,
    ])();
  const headers = (): Record<string, string> => {
    const h: Record<string, string> = {};
    if (rand() < 0.9) h.authorization = rand() < 0.8 ? `Bearer ${ADMIN_TOKEN}` : pick(['Bearer dl_wrong', 'Basic YTpi', `bearer  ${ADMIN_TOKEN} `, 'Bearer']);
    h['content-type'] = pick(['application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/graphql-response+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1']);
    h.accept = pick(['*/*', '*/*', 'application/json', 'application/json', 'application/graphql-response+json', 'text/html', 'text/event-stream', 'image/png', 'application/json;q=0']);
    if (rand() < 0.3) h['apollo-require-preflight'] = '1';
    if (rand() < 0.1) h['sec-fetch-mode'] = pick(['navigate', 'cors', 'no-cors']);
    return h;
  };
  const request = (): { method: string; path: string; headers: Record<string, string>; body?: string } => {
    // Half are well-formed API calls with hostile content, so the fuzz reaches the resolvers.
    if (rand() < 0.5) return { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: query(), variables: pick([{}, { v: int(1000) }, { v: junk(int(50)) }]) }) };
    const method = pick(['GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD']);
    const path = pick([
      '/graphql',
      '/graphql',
      '/graphql',
      '/graphql',
      `/graphql?query=${encodeURIComponent(query())}`,
      `/graphql?query=${encodeURIComponent(query())}`,
      `/graphql?query=${encodeURIComponent(query())}&variables=${encodeURIComponent(JSON.stringify(variables()) ?? '')}`,
      `/graphql?extensions=${encodeURIComponent(junk(10))}`,
      '/',
      '/healthz',
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      `/${encodeURIComponent(junk(10))}`,
      '/graphql/%00',
    ]);
    const withBody = method !== 'GET' && method !== 'HEAD';
    return { method, path, headers: headers(), body: withBody ? body() : undefined };
  };
  // Mostly well-formed operations (which the socket must survive); now and then a protocol
  // violation, which closes the socket (graphql-ws's rule) and a new one takes over.
  const wsMessage = (): string =>
    rand() < 0.97 ? JSON.stringify({ id: `op${int(1e9)}`, type: 'subscribe', payload: { query: query(), variables: pick([{}, { v: int(1000) }, { v: 'x'.repeat(int(20_000)) }, { v: [null] }, null]) } }) : pick([
      () => JSON.stringify({ id: String(int(50)), type: 'complete' }),
      () => JSON.stringify({ id: String(int(50)), type: 'complete' }),
      () => JSON.stringify({ type: 'ping', payload: pick([undefined, { x: 1 }, 'x']) }),
      () => JSON.stringify({ type: pick(['connection_init', 'pong', 'next', 'error', 'nope']), payload: {} }),
      () => JSON.stringify({ id: pick([null, 42, '', junk(5)]), type: 'subscribe', payload: pick([null, {}, { query: 42 }]) }),
      () => junk(int(100)),
    ])();
  return { request, wsMessage, int };
}

describe('fuzzing the transport (issue 10)', () => {
  it(`seeded fuzz (seed ${SEED}): ${HTTP_REQUESTS} HTTP requests and ${WS_MESSAGES} WebSocket messages; no 5xx, no stack or path, no crash, bounded memory`, { timeout: 120_000 }, async () => {
    await using server = await startTestServer({ config: { engine: { ...configFromEnv({}).engine, enabled: false } } });
    await server.data('mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { message } } }', { d: 'kind: Runtime\nname: mem\nplugin: fake\n---\nkind: Application\nname: shop\nreleaseChannels:\n  - { name: staging, runtime: mem }\n' });
    const gen = generators(prng(SEED));
    const started = Date.now();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const wsTypes = new Map<string, number>();
    const check = (what: string, status: number | undefined, text: string) => {
      if (status !== undefined) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status !== undefined && status >= 500) problems.push(`${status} for ${what}: ${text.slice(0, 200)}`);
      if (STACK_OR_PATH.test(text)) problems.push(`stack or path for ${what}: ${text.match(STACK_OR_PATH)?.[0]} in ${text.slice(0, 300)}`);
    };

    const requests = Array.from({ length: HTTP_REQUESTS }, () => gen.request());
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const what = `${r.method} ${r.path.slice(0, 120)} ${JSON.stringify(r.headers)} ${r.body?.slice(0, 120)}`;
        try {
          const res = await fetch(`${server.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(20_000) });
          check(what, res.status, r.method === 'HEAD' ? '' : await res.text());
        } catch (err) {
          problems.push(`no answer for ${what}: ${(err as Error).message}`);
        }
        if (next % 200 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    // WebSocket: a few sockets, each fed a stream of generated messages (the server may close one
    // for a protocol violation, which is its right: then a new socket takes over).
    let sent = 0;
    while (sent < WS_MESSAGES) {
      const s = await rawSocket(server.url, gen.int(10) === 0 ? 'dl_wrong' : ADMIN_TOKEN);
      while (!s.closed && sent < WS_MESSAGES) {
        s.sendText(gen.wsMessage());
        sent++;
        if (sent % 10 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200));
      for (const m of s.messages) wsTypes.set(m.type, (wsTypes.get(m.type) ?? 0) + 1);
      for (const m of s.messages) check(`ws message ${JSON.stringify(m).slice(0, 80)}`, undefined, JSON.stringify(m));
      if (s.closed) {
        if (s.closed.code === 4500 || s.closed.code === 1011) problems.push(`socket closed with internal error ${s.closed.code}: ${s.closed.reason}`);
        check('ws close reason', undefined, s.closed.reason);
      } else await s.close();
    }
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

    // The generator reaches the API, not only its front door.
    console.log(`fuzz seed ${SEED}: HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}; WebSocket answers ${JSON.stringify(Object.fromEntries(wsTypes))}; RSS +${Math.round((rssPeak - rssBefore) / 1e6)} MB`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(200);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(100);
    expect((wsTypes.get('next') ?? 0) + (wsTypes.get('error') ?? 0)).toBeGreaterThan(100);
    // Still alive, still answering.
    expect((await server.gql('{ viewer { name } }')).status).toBe(200);
    expect(problems.slice(0, 20)).toEqual([]);
    // The server runs in this process: its growth is the test process's growth.
    expect(rssPeak - rssBefore).toBeLessThan(512 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(90_000);
  });
});
