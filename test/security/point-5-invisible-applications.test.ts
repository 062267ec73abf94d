/**
 * Issue 10, point 5: scoped tokens learned about applications they cannot see through
 * previewConfig/applyConfig diagnostics ("did you mean "beta"?", FORBIDDEN for an existing
 * application but UNKNOWN_REFERENCE for a missing one, suggestions from another application's
 * channel and constant names). An invisible application must answer exactly like a missing one.
 */
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SETUP = `
kind: Runtime
name: fake
plugin: fake
---
kind: Application
name: alpha
releaseChannels: [{ name: staging, runtime: fake }]
---
kind: Application
name: beta
releaseChannels:
  - { name: production, runtime: fake, constants: { dbPassword: hunter2hunter2 } }
---
kind: Service
name: api
application: beta
parameters: [{ name: version, required: true }]
spec: { replicas: 1 }
`;

const PREVIEW = `query P($d: String!) { previewConfig(input: { documents: $d }) { userErrors { code message path } } }`;

async function scopedAdmin(server: TestServer): Promise<string> {
  const res = await server.data(`mutation { createApiToken(input: { name: "alpha-admin", role: admin, applications: ["alpha"] }) { secret userErrors { message } } }`);
  expect(res.createApiToken.userErrors).toEqual([]);
  return res.createApiToken.secret;
}

/** What a scoped token hears for a document, with the application's name put back to a placeholder. */
async function answers(server: TestServer, token: string, doc: (app: string) => string, app: string) {
  const preview = (await server.data(PREVIEW, { d: doc(app) }, token)).previewConfig.userErrors;
  const apply = (await server.data(APPLY_CONFIG, { documents: doc(app) }, token)).applyConfig.userErrors;
  const neutral = (errors: any[]) => JSON.stringify(errors).replaceAll(app, '<APP>');
  return { preview: neutral(preview), apply: neutral(apply), raw: JSON.stringify([preview, apply]) };
}

const SERVICE = (app: string) => `
kind: Service
name: worker
application: ${app}
parameters: [{ name: version, required: true }]
spec: { replicas: 1, note: "{{ constants.dbPasswrd }}" }
perChannel:
  productio: { spec: { replicas: 2 } }
`;
const APPLICATION = (app: string) => `
kind: Application
name: ${app}
releaseChannels: [{ name: productio, runtime: fake }]
`;

describe('issue 10 point 5: an invisible application is indistinguishable from a missing one', () => {
  it('previewConfig and applyConfig answer a scoped token the same for an existing invisible application as for a missing one, with no suggestion from it', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    expect((await server.data(APPLY_CONFIG, { documents: SETUP })).applyConfig.userErrors).toEqual([]);
    const token = await scopedAdmin(server);

    for (const doc of [SERVICE, APPLICATION]) {
      const invisible = await answers(server, token, doc, 'beta');
      const missing = await answers(server, token, doc, 'gamma');
      expect(invisible.preview).toBe(missing.preview);
      expect(invisible.apply).toBe(missing.apply);
      expect(JSON.parse(invisible.preview).length).toBeGreaterThan(0);
      // Nothing of beta's own names: its channel, its constant.
      for (const leak of ['production', 'dbPassword', 'hunter2']) expect(invisible.raw).not.toContain(leak);
    }

    // A typo of the invisible name suggests nothing; the same typo of a visible one does.
    const typo = await answers(server, token, SERVICE, 'betx');
    expect(typo.raw).not.toContain('"beta"');
    const visibleTypo = await answers(server, token, SERVICE, 'alphx');
    expect(visibleTypo.raw).toContain('did you mean \\"alpha\\"');

    // An unscoped admin still gets the helpful answers.
    const admin = (await server.data(PREVIEW, { d: SERVICE('beta') })).previewConfig.userErrors;
    expect(JSON.stringify(admin)).toContain('dbPassword');
  });
});
