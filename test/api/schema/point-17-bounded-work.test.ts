import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { appNames, appsConfig } from './fixtures.js';

const PREVIEW = `query($d: String!) { previewConfig(input: { documents: $d }) { userErrors { code message line } } }`;
const MB = 1024 * 1024;

/** The request classes that were slow or grew memory when fuzzed, each built once. */
function hostileRequests(): { name: string; query: string; variables?: Record<string, unknown>; answer?: RegExp }[] {
  const fragments = ['fragment F0 on Application { name }', ...Array.from({ length: 30 }, (_, k) => `fragment F${k + 1} on Application { a: services { application { ...F${k} } } b: services { application { ...F${k} } } }`)];
  return [
    { name: 'a YAML flow list of 450k items', query: PREVIEW, variables: { d: `kind: Runtime\nname: r\nplugin: fake\nconfig: { x: [${'a,'.repeat(450_000)}a] }\n` } },
    { name: 'a YAML alias bomb', query: PREVIEW, variables: { d: ['kind: Runtime', 'name: r', 'plugin: fake', 'a0: &a0 [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`), 'config: { b: *a9 }', ''].join('\n') } },
    { name: 'a 900 KB name', query: `query($n: String!) { application(name: $n) { name } }`, variables: { n: 'x'.repeat(900_000) } },
    { name: 'the largest page with a far-out forged cursor', query: `query($a: String) { events(first: 500, after: $a) { nodes { id message data } } }`, variables: { a: Buffer.from(JSON.stringify({ c: 'events:*', k: [Number.MAX_SAFE_INTEGER] })).toString('base64url') }, answer: /"events":\{"nodes":\[/ },
    { name: 'a megabyte-long cursor', query: `query($a: String) { applications(after: $a) { nodes { name } } }`, variables: { a: 'A'.repeat(MB - 200) } },
    { name: '2^30 nested fragments', query: `{ application(name: "app1") { ...F30 } }\n${fragments.join('\n')}` },
    { name: 'introspection under many aliases', query: `{ ${Array.from({ length: 40 }, (_, i) => `s${i}: __schema { types { name fields { name type { name } } } }`).join(' ')} }` },
    { name: 'a hundred thousand aliases', query: `{ ${Array.from({ length: 100_000 }, (_, i) => `a${i}: __typename`).join(' ')} }` },
  ];
}

async function post(server: TestServer, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dl_test_admin_token_0123456789abcdefghijklmnopqrstu' }, body });
  return { status: res.status, text: await res.text() };
}

describe('issue 10 point 17: the work a request may cause is bounded', () => {
  it('answers every hostile request class with a client error, and RSS stays flat under a sustained series of them', { timeout: 240_000 }, async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(appNames(3)) });
    const requests = hostileRequests().map((r) => ({ ...r, body: JSON.stringify({ query: r.query, variables: r.variables ?? {} }) }));
    for (const r of requests) {
      const started = Date.now();
      const { status, text } = await post(server, r.body);
      const said = `${r.name}: ${status} ${text.slice(0, 300)}`;
      expect(status, said).toBeLessThan(500);
      expect(/INTERNAL_SERVER_ERROR|stacktrace|\.ts:\d+/.test(text), said).toBe(false);
      // A refusal (each is over a limit), or for a keyset page after any cursor, a page read by index.
      expect((r.answer ?? /BAD_USER_INPUT|QUERY_TOO_|YAML_SYNTAX|REQUEST_TOO_LARGE|GRAPHQL_PARSE_FAILED/).test(text), said).toBe(true);
      // Generous on a loaded 2-core box: each of these took seconds to tens of seconds before.
      expect(Date.now() - started, r.name).toBeLessThan(5_000);
    }
    // Warm up, then a sustained series, 4 at a time: memory must not climb with the count.
    const rss = () => process.memoryUsage().rss;
    const series = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) await Promise.all(requests.slice(0, 4).map((_, k) => post(server, requests[(i * 4 + k) % requests.length]!.body)));
    };
    await series(6);
    const before = rss();
    await series(30);
    const after = rss();
    expect((after - before) / MB, `RSS ${Math.round(before / MB)} MB → ${Math.round(after / MB)} MB`).toBeLessThan(150);
    expect((await server.data(`{ viewer { role } }`)).viewer.role).toBe('admin');
  });
});
