import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { startTestServer } from '../../helpers/server.js';
import { appsConfig } from './fixtures.js';

const DESCRIPTIONS = /* GraphQL */ `
  {
    __schema {
      types {
        name description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description }
      }
    }
  }
`;

describe('issue 10 point 15: schema hygiene', () => {
  it('the live schema describes every type, field, argument, input field and enum value', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const { __schema } = await server.data(DESCRIPTIONS);
    const missing: string[] = [];
    const blank = (d: string | null) => !d || !d.trim();
    for (const t of __schema.types) {
      if (t.name.startsWith('__')) continue;
      if (blank(t.description)) missing.push(t.name);
      for (const f of t.fields ?? []) {
        if (blank(f.description)) missing.push(`${t.name}.${f.name}`);
        for (const a of f.args) if (blank(a.description)) missing.push(`${t.name}.${f.name}(${a.name})`);
      }
      for (const f of t.inputFields ?? []) if (blank(f.description)) missing.push(`${t.name}.${f.name}`);
      for (const v of t.enumValues ?? []) if (blank(v.description)) missing.push(`${t.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });


  it('one applyConfig with two applications that each have a service `web` is accepted: names are per application', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const applied = await server.data(APPLY_CONFIG, { documents: appsConfig(['alpha', 'beta'], { services: ['web'] }) });
    expect(applied.applyConfig.userErrors).toEqual([]);
    expect(applied.applyConfig.created.filter((c: any) => c.kind === 'Service').map((c: any) => `${c.application}/${c.name}`)).toEqual(['alpha/web', 'beta/web']);
    // Within one application a second `web` is still a duplicate.
    const twice = await server.data(APPLY_CONFIG, { documents: `${appsConfig(['gamma'], { services: ['web'] })}---\nkind: Service\nname: web\napplication: gamma\nspec: {}\n` });
    expect(twice.applyConfig.userErrors[0]).toMatchObject({ code: 'DUPLICATE_NAME', message: expect.stringMatching(/duplicate Service "web" in application "gamma"/) });
  });

  it('says "every application" with allApplications instead of a null list', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['alpha']) });
    expect((await server.data(`{ viewer { allApplications applications } }`)).viewer).toEqual({ allApplications: true, applications: [] });
    const created = await server.data(`mutation { createApiToken(input: { name: "scoped", role: viewer, applications: ["alpha"] }) { secret apiToken { allApplications applications } } }`);
    expect(created.createApiToken.apiToken).toEqual({ allApplications: false, applications: ['alpha'] });
    expect((await server.data(`{ viewer { allApplications applications } }`, {}, created.createApiToken.secret)).viewer).toEqual({ allApplications: false, applications: ['alpha'] });
    const tokens = await server.data(`{ apiTokens { name allApplications applications } }`);
    expect(tokens.apiTokens.find((t: any) => t.name !== 'scoped')).toMatchObject({ allApplications: true, applications: [] });
  });

  it('Parameter.type and PreviewService.paramsSource are enums', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const types = await server.data(`{ p: __type(name: "Parameter") { fields { name type { kind ofType { name kind } } } } s: __type(name: "PreviewService") { fields { name type { kind ofType { name kind } } } } }`);
    expect(types.p.fields.find((f: any) => f.name === 'type').type.ofType).toEqual({ name: 'ParameterType', kind: 'ENUM' });
    expect(types.s.fields.find((f: any) => f.name === 'paramsSource').type.ofType).toEqual({ name: 'ParamsSource', kind: 'ENUM' });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['alpha'], { services: ['web'] }) });
    const read = await server.data(`{ application(name: "alpha") { services { parameters { name type } } } }`);
    expect(read.application.services[0].parameters).toEqual([{ name: 'version', type: 'STRING' }]);
  });
});
