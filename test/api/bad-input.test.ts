import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../helpers/config-text.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Every bad config gets a precise user error, and nothing is written. */
const BAD_CONFIGS: { name: string; text: string; code: string; message: RegExp; line?: number }[] = [
  { name: 'malformed YAML', text: 'kind: Runtime\nname: [local\n', code: 'YAML_SYNTAX', message: /line/i },
  { name: 'unknown kind', text: 'kind: Cluster\nname: x\n', code: 'UNKNOWN_KIND', message: /Cluster/ },
  { name: 'missing field', text: 'kind: Runtime\nname: local\n', code: 'SCHEMA_VIOLATION', message: /plugin/ },
  { name: 'invalid field', text: 'kind: Runtime\nname: local\nplugin: process\nlabels: [1]\n', code: 'SCHEMA_VIOLATION', message: /labels/ },
  { name: 'invalid name', text: 'kind: Runtime\nname: Local_1\nplugin: process\n', code: 'INVALID_NAME', message: /Local_1/ },
  { name: 'unknown reference', text: HELLO_CONFIG.replace('dependsOn: [staging]', 'dependsOn: [stagin]'), code: 'UNKNOWN_REFERENCE', message: /Application hello\): releaseChannels\[1\]\.dependsOn\[0\]: unknown channel "stagin"/ },
  {
    name: 'dependency cycle',
    text: HELLO_CONFIG.replace('runtime: local\n    # Constants', 'runtime: local\n    dependsOn: [production]\n    # Constants'),
    code: 'DEPENDENCY_CYCLE',
    message: /staging.*production.*staging|production.*staging.*production/,
  },
  { name: 'template naming an unknown parameter', text: HELLO_CONFIG.replace('{{ params.version }}', '{{ params.verison }}'), code: 'TEMPLATE_ERROR', message: /verison/ },
  { name: 'template naming an unknown constant', text: HELLO_CONFIG.replace('{{ constants.port }}', '{{ constants.prot }}'), code: 'TEMPLATE_ERROR', message: /prot/ },
];

async function assertNothingWritten(server: TestServer): Promise<void> {
  const state = await server.data(`{ applications { totalCount } runtimes { name } events { totalCount } }`);
  expect(state).toEqual({ applications: { totalCount: 0 }, runtimes: [], events: { totalCount: 0 } });
}

describe.each(DATABASES)('bad input on %s', (database) => {
  it.each(BAD_CONFIGS)('applyConfig refuses $name with $code', async ({ text, code, message }) => {
    await using server = await startTestServer({ database });
    const res = await server.gql(APPLY_CONFIG, { documents: text });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const errors = res.data.applyConfig.userErrors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e: any) => e.code)).toContain(code);
    expect(errors.map((e: any) => e.message).join('\n')).toMatch(message);
    expect(errors[0].path[0]).toBe('documents');
    await assertNothingWritten(server);
  });

  it('a config with one bad document among good ones writes none of them', async () => {
    await using server = await startTestServer({ database });
    const res = await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG + '\n---\nkind: Service\nname: api\napplication: nope\nspec: {}\n' });
    expect(res.applyConfig.userErrors[0]).toMatchObject({ code: 'UNKNOWN_REFERENCE' });
    expect(res.applyConfig.userErrors[0].line).toBeGreaterThan(40);
    await assertNothingWritten(server);
  });

  it.each([
    { name: 'a missing required parameter', params: {}, code: 'MISSING_PARAMETER' },
    { name: 'an undeclared parameter', params: { version: 'v1', colour: 'red' }, code: 'UNKNOWN_PARAMETER' },
    { name: 'a wrong parameter type', params: { version: { major: 1 } }, code: 'INVALID_PARAMETER' },
  ])('createRelease refuses $name', async ({ params, code }) => {
    await using server = await startTestServer({ database });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    const res = await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params });
    expect(res.createRelease.release).toBeNull();
    expect(res.createRelease.userErrors.map((e: any) => e.code)).toContain(code);
    const after = await server.data(`{ application(name: "hello") { releases { totalCount } } }`);
    expect(after.application.releases.totalCount).toBe(0);
  });

  it('createRelease refuses an unknown application or service', async () => {
    await using server = await startTestServer({ database });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    const app = await server.data(CREATE_RELEASE, { application: 'nope', service: 'web', params: {} });
    expect(app.createRelease.userErrors).toEqual([{ code: 'NOT_FOUND', message: 'unknown application "nope"', path: ['application'] }]);
    const svc = await server.data(CREATE_RELEASE, { application: 'hello', service: 'api', params: {} });
    expect(svc.createRelease.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', path: ['service'] });
  });

  it('deleteRuntime is refused while a channel uses it', async () => {
    await using server = await startTestServer({ database });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    const res = await server.data(`mutation { deleteRuntime(input: { name: "local" }) { deletedId userErrors { code message } } }`);
    expect(res.deleteRuntime.deletedId).toBeNull();
    expect(res.deleteRuntime.userErrors[0].code).toBe('IN_USE');
    expect(res.deleteRuntime.userErrors[0].message).toContain('hello/production, hello/staging');
    // Once the application is gone the runtime can go too.
    const del = await server.data(`mutation { deleteApplication(input: { name: "hello" }) { deletedId userErrors { code } } }`);
    expect(del.deleteApplication.userErrors).toEqual([]);
    // A tick may have held an instance when the application went: its workload is removed first,
    // and until then the runtime is refused with words that say so.
    const deadline = Date.now() + 20_000;
    let again: any;
    for (;;) {
      again = await server.data(`mutation { deleteRuntime(input: { name: "local" }) { deletedId userErrors { code message } } }`);
      if (again.deleteRuntime.userErrors.length === 0 || Date.now() > deadline) break;
      expect(again.deleteRuntime.userErrors[0]).toMatchObject({ code: 'IN_USE', message: expect.stringMatching(/being removed from it; try again/) });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again.deleteRuntime.userErrors).toEqual([]);
    expect(again.deleteRuntime.deletedId).toBeTruthy();
  });

  it('a stale expectedVersion is refused with STALE and deletes nothing', async () => {
    await using server = await startTestServer({ database });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    const { application } = await server.data(`{ application(name: "hello") { version } }`);
    const res = await server.data(`mutation($v: Int) { deleteApplication(input: { name: "hello", expectedVersion: $v }) { deletedId userErrors { code message path } } }`, { v: application.version + 1 });
    expect(res.deleteApplication.userErrors[0]).toMatchObject({ code: 'STALE', path: ['expectedVersion'] });
    expect((await server.data(`{ application(name: "hello") { name } }`)).application).toEqual({ name: 'hello' });
    const ok = await server.data(`mutation($v: Int) { deleteApplication(input: { name: "hello", expectedVersion: $v }) { userErrors { code } } }`, { v: application.version });
    expect(ok.deleteApplication.userErrors).toEqual([]);
  });
});

describe('request limits', () => {
  it('refuses an oversized request with 413 and a JSON error, and keeps serving', async () => {
    await using server = await startTestServer({ config: { maxBodyBytes: 10_000 } });
    const res = await server.gql(APPLY_CONFIG, { documents: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.errors![0].extensions!.code).toBe('REQUEST_TOO_LARGE');
    expect((await server.data(`{ viewer { role } }`)).viewer.role).toBe('admin');
  });

  it('refuses an overly deep query before running it', async () => {
    await using server = await startTestServer({ config: { maxQueryDepth: 5 } });
    const res = await server.gql(`{ applications { nodes { releaseChannels { instances { service { application { name } } } } } } }`);
    expect(res.status).toBe(400);
    // The limit's own code, the same over WebSocket (issue 10 point 12).
    expect(res.errors![0].extensions!.code).toBe('QUERY_TOO_DEEP');
    expect(res.errors![0].message).toMatch(/levels deep; the limit is 5/);
  });

  it('refuses an overly costly query', async () => {
    await using server = await startTestServer({ config: { maxQueryCost: 1000 } });
    const res = await server.gql(`{ applications(first: 500) { nodes { releaseChannels { instances { status reasons { code message } } } } } }`);
    expect(res.status).toBe(400);
    expect(res.errors![0].message).toMatch(/costs \d+ .* the limit is 1000/);
  });

  it('answers malformed JSON and unknown fields with client errors, no stack traces', async () => {
    await using server = await startTestServer();
    const raw = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dl_test_admin_token_0123456789abcdefghijklmnopqrstu' }, body: '{"query":' });
    expect(raw.status).toBe(400);
    expect(JSON.stringify(await raw.json())).not.toMatch(/at .*\.(js|ts):\d+/);
    const res = await server.gql(`{ nope }`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.errors)).not.toMatch(/stacktrace|\.ts:\d+/);
  });
});
