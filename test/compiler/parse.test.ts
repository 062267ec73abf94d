/** parseConfig on good input: defaults, origins, context documents, coercions. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/compiler/index.js';
import { RUNTIME_LOCAL, SHOP } from './fixtures.js';

describe('parseConfig accepts valid config', () => {
  it('parses the shop example from DESIGN.md with every gate kind', () => {
    const result = parseConfig(SHOP);
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('fills in defaults for every optional field', () => {
    const text = `kind: Runtime
name: local
plugin: process
---
kind: Application
name: shop
releaseChannels: [{ name: staging, runtime: local }]
---
kind: Service
name: web
application: shop
parameters: [{ name: version }]
spec: { command: node }
`;
    const result = parseConfig(text);
    if (!result.ok) throw new Error(result.diagnostics[0]!.message);
    expect(result.value.runtimes).toEqual([{ kind: 'Runtime', name: 'local', plugin: 'process', config: {}, labels: {} }]);
    expect(result.value.applications[0]!.releaseChannels).toEqual([
      { name: 'staging', runtime: 'local', dependsOn: [], constants: {}, env: {}, gates: [] },
    ]);
    expect(result.value.services).toEqual([
      {
        kind: 'Service',
        name: 'web',
        application: 'shop',
        parameters: [{ name: 'version', type: 'string', required: false }],
        spec: { command: 'node' },
        env: {},
        perChannel: {},
        progressDeadline: '10m',
      },
    ]);
  });

  it('lists where each document came from, counting empty documents', () => {
    const text = `---\n${RUNTIME_LOCAL}---\n# only a comment\n---\napiVersion: driftless/v1\nkind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n`;
    const result = parseConfig(text);
    if (!result.ok) throw new Error(result.diagnostics[0]!.message);
    expect(result.value.origins).toEqual([
      { documentIndex: 0, kind: 'Runtime', name: 'local' },
      { documentIndex: 2, kind: 'Application', name: 'shop' },
    ]);
  });

  it.each([
    ['empty text', ''],
    ['only comments', '# nothing yet\n'],
    ['only separators', '---\n---\n'],
  ])('accepts %s as an empty bundle', (_title, text) => {
    const result = parseConfig(text);
    expect(result).toEqual({ ok: true, diagnostics: [], value: { runtimes: [], applications: [], services: [], notifiers: [], origins: [] } });
  });

  it('resolves references against context documents', () => {
    const runtime = { kind: 'Runtime' as const, name: 'local', plugin: 'process', config: {}, labels: { zone: 'z1' } };
    const apps = parseConfig(`kind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n`, { runtimes: [runtime] });
    expect(apps.diagnostics).toEqual([]);
    if (!apps.ok) return;
    const service = parseConfig(
      `kind: Service\nname: web\napplication: shop\nspec: { zone: "{{ runtime.labels.zone }}" }\nperChannel: { staging: { spec: {} } }\n`,
      { runtimes: [runtime], applications: apps.value.applications },
    );
    expect(service.diagnostics).toEqual([]);
  });

  it('lets documents in the text win over context documents of the same name', () => {
    const stale = { kind: 'Runtime' as const, name: 'local', plugin: 'process', config: {}, labels: {} };
    const text = `kind: Runtime\nname: local\nplugin: process\nlabels: { zone: z1 }\n---\nkind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n---\nkind: Service\nname: web\napplication: shop\nspec: { zone: "{{ runtime.labels.zone }}" }\n`;
    expect(parseConfig(text, { runtimes: [stale] }).diagnostics).toEqual([]);
  });

  it('turns numbers and booleans in env and labels into strings', () => {
    const text = `kind: Runtime\nname: local\nplugin: process\nlabels: { tier: 1 }\n---\nkind: Application\nname: shop\nreleaseChannels:\n  - { name: staging, runtime: local, env: { DEBUG: true, PORT: 8080 } }\n`;
    const result = parseConfig(text);
    if (!result.ok) throw new Error(result.diagnostics[0]!.message);
    expect(result.value.runtimes[0]!.labels).toEqual({ tier: '1' });
    expect(result.value.applications[0]!.releaseChannels[0]!.env).toEqual({ DEBUG: 'true', PORT: '8080' });
  });

  it('keeps plugin-specific config and spec free-form', () => {
    const text = `kind: Runtime\nname: local\nplugin: process\nconfig: { anything: { goes: [1, 2] } }\n---\nkind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n---\nkind: Service\nname: web\napplication: shop\nspec: { whatever: { nested: true } }\nperChannel: { staging: { spec: { more: [x] } } }\n`;
    expect(parseConfig(text).diagnostics).toEqual([]);
  });

  it('accepts a name of exactly 63 characters', () => {
    expect(parseConfig(`kind: Runtime\nname: ${'a'.repeat(63)}\nplugin: process\n`).ok).toBe(true);
  });

  it('accepts templates in a perChannel override that only that channel can answer', () => {
    const text = `${RUNTIME_LOCAL}---\nkind: Application\nname: shop\nreleaseChannels:\n  - { name: staging, runtime: local }\n  - { name: production, runtime: local, constants: { replicas: 3 } }\n---\nkind: Service\nname: web\napplication: shop\nspec: {}\nperChannel: { production: { spec: { replicas: "{{ constants.replicas }}" } } }\n`;
    expect(parseConfig(text).diagnostics).toEqual([]);
  });
});

describe('parseConfig and YAML features', () => {
  it('supports anchors and merge keys', () => {
    const text = `${RUNTIME_LOCAL}---
kind: Application
name: shop
releaseChannels:
  - &base { name: staging, runtime: local, constants: { port: 8100 } }
  - <<: *base
    name: production
`;
    const result = parseConfig(text);
    if (!result.ok) throw new Error(result.diagnostics[0]!.message);
    expect(result.value.applications[0]!.releaseChannels[1]).toMatchObject({ name: 'production', runtime: 'local', constants: { port: 8100 } });
  });

  it('reports only the syntax error when a referenced document is broken', () => {
    const text = `kind: Runtime\nname: local\nplugin: process\nlabels: { a: 1 } x\n---\nkind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n`;
    expect(parseConfig(text).diagnostics.map((d) => [d.code, d.documentIndex])).toEqual([['YAML_SYNTAX', 0]]);
  });
});
