import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { startTestServer } from '../../helpers/server.js';
import { appsConfig } from './fixtures.js';

const APPLY = /* GraphQL */ `
  mutation($d: String!) {
    applyConfig(input: { documents: $d }) {
      created { __typename kind name object { __typename id ... on Application { name } } }
      userErrors { code message }
    }
  }
`;

describe('issue 10 point 9: every id identifies one object of one type', () => {
  it('a ConfigObjectChange has no id of its own and references its object through `object`', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const applied = await server.data(APPLY, { d: appsConfig(['shop']) });
    expect(applied.applyConfig.userErrors).toEqual([]);
    const app = applied.applyConfig.created.find((c: any) => c.kind === 'Application');
    expect(app).toMatchObject({ __typename: 'ConfigObjectChange', name: 'shop', object: { __typename: 'Application', name: 'shop' } });
    const viaNode = await server.data(`query($id: ID!) { node(id: $id) { __typename id ... on Application { name } } }`, { id: app.object.id });
    expect(viaNode.node).toEqual({ __typename: 'Application', id: app.object.id, name: 'shop' });
    // The change type has no `id` field that could shadow the application's in a client cache.
    const field = await server.data(`{ __type(name: "ConfigObjectChange") { fields { name type { name kind } } } }`);
    expect(field.__type.fields.find((f: any) => f.name === 'id')).toBeUndefined();
  });

  it('no two objects of a whole query share an id, and every id field belongs to a Node', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['shop']) });
    await server.data(`mutation { createRelease(input: { application: "shop", service: "web", params: { version: "v1" } }) { userErrors { code } } }`);
    const data = await server.data(`{
      applications { nodes { __typename id releaseChannels { __typename id runtime { __typename id } instances { __typename id desiredRelease { __typename id } service { __typename id } } } } }
      events(first: 100) { nodes { __typename id } }
    }`);
    const seen = new Map<string, string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (!value || typeof value !== 'object') return;
      const o = value as Record<string, unknown>;
      if (typeof o.id === 'string') {
        const typename = String(o.__typename);
        expect(seen.get(o.id) ?? typename, `id ${o.id}`).toBe(typename);
        seen.set(o.id, typename);
      }
      Object.values(o).forEach(walk);
    };
    walk(data);
    expect(new Set(seen.values())).toEqual(new Set(['Application', 'ReleaseChannel', 'Runtime', 'ServiceInstance', 'Release', 'Service', 'Event']));
    // Every type with an `id: ID` field implements Node.
    const types = await server.data(`{ __schema { types { name kind interfaces { name } fields { name type { kind name ofType { name } } } } } }`);
    for (const t of types.__schema.types) {
      if (t.kind !== 'OBJECT' || t.name.startsWith('__')) continue;
      const idField = t.fields.find((f: any) => (f.type.name ?? f.type.ofType?.name) === 'ID');
      if (idField && idField.name === 'id') expect(t.interfaces.map((i: any) => i.name), t.name).toContain('Node');
    }
  });
});
