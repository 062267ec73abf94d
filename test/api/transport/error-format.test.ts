import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDriftless, type Driftless } from '../../../server/app.js';
import { configFromEnv } from '../../../server/config.js';
import { ADMIN_TOKEN } from '../../helpers/server.js';
import { rawSocket } from './raw-ws.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SHOP = `kind: Runtime
name: mem
plugin: fake
---
kind: Application
name: shop
releaseChannels:
  - { name: staging, runtime: mem }
`;

/** Every log line the server writes, to check levels and that no stack reaches stderr. */
const logLines: any[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});

let server: Driftless;
let dataDir: string;
const stderrWrites: string[] = [];
const realStderrWrite = process.stderr.write.bind(process.stderr);

async function http(body: unknown): Promise<{ status: number; errors: any[] }> {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify(body) });
  return { status: res.status, errors: ((await res.json()) as { errors: any[] }).errors };
}

async function ws(query: string, variables?: Record<string, unknown>): Promise<any[]> {
  const s = await rawSocket(server.url, ADMIN_TOKEN);
  s.send({ id: 'x', type: 'subscribe', payload: { query, variables } });
  const answer = await s.answer('x');
  await s.close();
  const last = answer.find((m) => m.type === 'error')?.payload ?? answer.find((m) => m.type === 'next')?.payload.errors;
  return last;
}

/** What a client can compare across transports: message and code (locations differ in no way either). */
const essence = (errors: any[]) => errors.map((e) => ({ message: e.message, code: e.extensions?.code }));

describe('one error format on HTTP and WebSocket (issue 10)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-errors-'));
    const defaults = configFromEnv({});
    server = await startDriftless(
      { ...defaults, port: 0, dataDir, adminToken: ADMIN_TOKEN, testPlugins: true, maxQueryDepth: 3, maxQueryCost: 60, engine: { ...defaults.engine, enabled: false } },
      { logger: pino({ level: 'debug' }, sink) },
    );
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: any[]) => {
      stderrWrites.push(String(chunk));
      return realStderrWrite(chunk, ...rest);
    }) as typeof process.stderr.write;
  });
  afterAll(async () => {
    process.stderr.write = realStderrWrite;
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('issue 10 point 12: depth, cost, validation, coercion and syntax errors carry the same codes on both transports', async () => {
    const cases: [string, string, Record<string, unknown> | undefined][] = [
      ['QUERY_TOO_DEEP', '{ applications { nodes { releaseChannels { instances { status } } } } }', undefined],
      ['QUERY_TOO_COSTLY', '{ applications(first: 100) { nodes { name id } } }', undefined],
      ['GRAPHQL_VALIDATION_FAILED', '{ nope }', undefined],
      ['BAD_USER_INPUT', 'query($n: Int) { applications(first: $n) { totalCount } }', { n: 'many' }],
      ['GRAPHQL_PARSE_FAILED', '{ viewer { ', undefined],
    ];
    for (const [code, query, variables] of cases) {
      const overHttp = await http({ query, variables });
      const overWs = await ws(query, variables);
      expect(overHttp.status, query).toBe(400);
      expect(essence(overHttp.errors).map((e) => e.code), query).toContain(code);
      expect(essence(overWs), query).toEqual(essence(overHttp.errors));
      for (const e of [...overHttp.errors, ...overWs]) expect(Object.keys(e.extensions)).toEqual(['code']);
    }
  });

  it('issue 10 point 12: a syntax error in one subscribe answers that operation only; the socket and its other subscriptions stay', async () => {
    const applied = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: 'mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { message } } }', variables: { d: SHOP } }),
    });
    expect(((await applied.json()) as any).data.applyConfig.userErrors).toEqual([]);
    const shopId = ((await (await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ application(name: "shop") { id } }')}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as any).data.application.id;
    const decoded = Buffer.from(shopId, 'base64url').toString('utf8');
    const s = await rawSocket(server.url, ADMIN_TOKEN);
    s.send({ id: 'live', type: 'subscribe', payload: { query: 'subscription { convergenceEvents(application: "shop") { type message } }' } });
    s.send({ id: 'bad', type: 'subscribe', payload: { query: 'subscription { convergenceEvents(application: "shop") {' } });
    const bad = await s.answer('bad');
    expect(bad).toEqual([{ id: 'bad', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] }]);
    expect(s.closed).toBeUndefined();
    // The first subscription still receives events.
    const probe = { id: null, at: Date.now(), applicationId: decoded.slice(decoded.indexOf(':') + 1), type: 'APPLICATION_UPDATED', actor: 'test', subject: 'Application shop', subjectId: null, message: 'still here', data: null };
    const deadline = Date.now() + 10_000;
    while (!s.messages.some((m) => m.id === 'live' && m.type === 'next') && Date.now() < deadline) {
      server.live.publish('EVENT', probe);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s.messages.find((m) => m.id === 'live' && m.type === 'next')?.payload.data.convergenceEvents.message).toBe('still here');
    await s.close();
  });

  it('issue 10 point 12: resolver errors are masked the same way on both transports, logged once each, no stack on stderr', async () => {
    const list = server.plugins.list;
    server.plugins.list = () => {
      throw new Error('boom at /srv/driftless/secret/path.ts:12');
    };
    try {
      const overHttp = await http({ query: '{ runtimePlugins { name } }' });
      const overWs = await ws('{ runtimePlugins { name } }');
      const masked = [{ message: 'internal error: the server logged the details', path: ['runtimePlugins'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
      expect(overHttp.errors).toEqual(masked);
      expect(overWs).toEqual(masked);
      expect(logLines.filter((l) => l.level === 50 && l.err?.message?.startsWith('boom'))).toHaveLength(2);
    } finally {
      server.plugins.list = list;
    }
    expect(stderrWrites.join('')).not.toMatch(/boom|    at /);
  });

  it('issue 10 point 13: a wrong persisted-query hash or version is a client error (4xx), logged at debug', async () => {
    const query = '{ viewer { name } }';
    const sha = createHash('sha256').update(query).digest('hex');
    const before = logLines.length;
    const wrongHash = await http({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(wrongHash.status).toBe(400);
    expect(wrongHash.errors).toEqual([{ message: expect.stringContaining('sha256Hash'), extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }]);
    const wrongVersion = await http({ query, extensions: { persistedQuery: { version: 2, sha256Hash: sha } } });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.errors).toEqual([{ message: expect.stringContaining('version'), extensions: { code: 'PERSISTED_QUERY_VERSION_UNSUPPORTED' } }]);
    const unknown = await http({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(logLines.slice(before).filter((l) => l.level >= 40)).toEqual([]);
    expect(logLines.slice(before).filter((l) => l.level === 20 && /persisted/.test(l.msg))).toHaveLength(2);
  });
});
