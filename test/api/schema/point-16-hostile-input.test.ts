import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { DATABASES } from '../../helpers/databases.js';
import { startTestServer } from '../../helpers/server.js';
import { appsConfig } from './fixtures.js';

const PREVIEW = `query($d: String!) { previewConfig(input: { documents: $d }) { userErrors { code message line path } } }`;

// Each level refers to the one above nine times: expanded, level 9 is a billion strings.
const ALIAS_BOMB = ['kind: Application', 'name: bomb', 'a0: &a0 [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`), 'releaseChannels: *a9', ''].join('\n');
const UNRESOLVED = 'kind: Runtime\nname: local\nplugin: process\nconfig: *nowhere\n';

describe.each(DATABASES)('issue 10 point 16: hostile input is a user error, never internal (%s)', (database) => {
  it('a YAML alias bomb or an unresolved alias is YAML_SYNTAX with the line, in applyConfig and previewConfig', async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });
    // The bomb's line is where its aliasing starts (the first alias); the unresolved one's is its own.
    for (const [text, line] of [[ALIAS_BOMB, 4], [UNRESOLVED, 4]] as const) {
      const applied = await server.gql(APPLY_CONFIG, { documents: text });
      expect(applied.errors).toBeUndefined();
      expect(applied.data.applyConfig.userErrors[0]).toMatchObject({ code: 'YAML_SYNTAX', line, message: expect.stringMatching(/alias/i) });
      const previewed = await server.gql(PREVIEW, { d: text });
      expect(previewed.errors).toBeUndefined();
      expect(previewed.data.previewConfig.userErrors[0]).toMatchObject({ code: 'YAML_SYNTAX', line });
    }
  });

  it('a NUL byte in a name or inside a global id is refused or null, never INTERNAL_SERVER_ERROR', async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['app1']) });
    const literal = await server.gql(`{ application(name: "\\u0000") { name } }`);
    expect(literal.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(literal.errors![0].message).toMatch(/NUL byte/);
    const variable = await server.gql(`query($n: String!) { application(name: $n) { name } }`, { n: 'app\u00001' });
    expect(variable.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/^\$n contains a NUL byte/) });
    // A global id that decodes to a NUL byte names nothing: null, or NOT_FOUND in a payload.
    const nulId = Buffer.from('Application:\u0000').toString('base64url');
    expect(await server.data(`query($id: ID!) { node(id: $id) { id } }`, { id: nulId })).toEqual({ node: null });
    const approve = await server.gql(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { code path } } }`, { r: Buffer.from('Release:ab\u0000cd').toString('base64url') });
    expect(approve.errors).toBeUndefined();
    expect(approve.data.approveRelease.userErrors[0].code).toBe('NOT_FOUND');
    // Config documents are bounded by the body size and the YAML limits, not the string limit, under any variable name.
    const big = `${appsConfig(['app1'])}${'# padding\n'.repeat(3000)}`;
    expect(big.length).toBeGreaterThan(20_000);
    const applied = await server.gql(`mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { code } } }`, { d: big });
    expect(applied.errors).toBeUndefined();
    expect(applied.data.applyConfig.userErrors).toEqual([]);
    const huge = await server.gql(`query($n: String!) { application(name: $n) { name } }`, { n: 'a'.repeat(100_000) });
    expect(huge.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/^\$n is 100000 characters long; the limit is 16384/) });
  });
});
