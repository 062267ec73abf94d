/** The published JSON Schema, checked the way an editor would use it. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_ID, loadConfigSchema, parseConfig } from '../../server/compiler/index.js';
import { SHOP } from './fixtures.js';

const schema = loadConfigSchema() as {
  $schema: string;
  $id: string;
  definitions: Record<string, { properties?: Record<string, { default?: unknown }>; additionalProperties?: unknown }>;
};

/** The whole schema, entered at the top like an editor does (if/then on kind). */
function editorValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  return ajv.compile(schema);
}

describe('config.schema.json', () => {
  it('is draft-07 with a stable $id', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(CONFIG_SCHEMA_ID);
    expect(CONFIG_SCHEMA_ID).toBe('https://driftless.dev/schema/config.schema.json');
  });

  it('is the file in schema/', () => {
    const onDisk = JSON.parse(readFileSync(new URL('../../schema/config.schema.json', import.meta.url), 'utf8'));
    expect(onDisk).toEqual(schema);
  });

  it('accepts every document of the examples when entered at the top, as editors do', () => {
    const validate = editorValidator();
    const example = readFileSync(new URL('../../examples/hello/driftless.yaml', import.meta.url), 'utf8');
    for (const text of [SHOP, example]) {
      for (const doc of parseAllDocuments(text) as unknown as { toJS(): unknown }[]) {
        expect(validate(doc.toJS()), JSON.stringify(validate.errors)).toBe(true);
      }
    }
  });

  it.each([
    ['a typo in a runtime', 'kind: Runtime\nname: local\nplugin: process\nlables: {}\n'],
    ['a typo in a channel', 'kind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local, gate: [] }]\n'],
    ['a typo in a gate', 'kind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local, gates: [{ soak: { duraton: 1m } }] }]\n'],
    ['a typo in a service', 'kind: Service\nname: web\napplication: shop\nspec: {}\nperchannel: {}\n'],
    ['an unknown kind', 'kind: Deployment\nname: web\n'],
  ])('rejects %s at the top level too', (_title, text) => {
    expect(editorValidator()(parse(text))).toBe(false);
  });

  it('is closed (additionalProperties: false) everywhere except plugin-specific config and spec', () => {
    const open: string[] = [];
    for (const [name, definition] of Object.entries(schema.definitions)) {
      if (definition.properties && definition.additionalProperties !== false) open.push(name);
    }
    expect(open).toEqual([]);
  });

  it('documents the same defaults parseConfig applies', () => {
    const result = parseConfig(
      'kind: Runtime\nname: local\nplugin: process\n---\nkind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n---\nkind: Service\nname: web\napplication: shop\nparameters: [{ name: version }]\nspec: {}\n',
    );
    if (!result.ok) throw new Error(result.diagnostics[0]!.message);
    const defaultsOf = (definition: string) =>
      Object.fromEntries(
        Object.entries(schema.definitions[definition]!.properties ?? {})
          .filter(([, property]) => property.default !== undefined)
          .map(([key, property]) => [key, property.default]),
      );
    expect(result.value.runtimes[0]).toMatchObject(defaultsOf('Runtime'));
    expect(result.value.applications[0]!.releaseChannels[0]).toMatchObject(defaultsOf('ReleaseChannel'));
    // `parameters` is given in the text above (to check the Parameter defaults), so not defaulted.
    const { parameters: _given, ...serviceDefaults } = defaultsOf('Service');
    expect(result.value.services[0]).toMatchObject(serviceDefaults);
    expect(result.value.services[0]!.parameters[0]).toMatchObject(defaultsOf('Parameter'));
  });

  it('gives every field of the document kinds a description for editors', () => {
    const missing: string[] = [];
    for (const kind of ['Runtime', 'Application', 'ReleaseChannel', 'Service']) {
      for (const [key, property] of Object.entries(schema.definitions[kind]!.properties ?? {})) {
        const p = property as { description?: string; $ref?: string };
        if (!p.description && !['kind', 'apiVersion', 'name'].includes(key) && !p.$ref?.endsWith('/Name')) missing.push(`${kind}.${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
