/** parseConfig on bad input: one row per class of mistake, checking code, path, line and wording. */
import { describe, expect, it } from 'vitest';
import { parseConfig, type Diagnostic, type DiagnosticCode } from '../../server/compiler/index.js';

/** Three lines, so the line numbers below can be counted by eye. */
const RUNTIME_LOCAL = 'kind: Runtime\nname: local\nplugin: process\n';

/** An application "shop" on runtime local whose channels are given as YAML lines. */
const app = (channels: string) => `${RUNTIME_LOCAL}---
kind: Application
name: shop
releaseChannels:
${channels}`;

const STAGING = `  - name: staging
    runtime: local
    constants: { port: 8100 }
`;

/** A service "web" of shop (staging + production) with the given extra YAML. */
const service = (body: string) => `${app(`${STAGING}  - name: production
    runtime: local
    dependsOn: [staging]
    constants: { port: 8200 }
`)}---
kind: Service
name: web
application: shop
${body}`;

const gate = (yaml: string) => app(`${STAGING}    gates:\n      - ${yaml}\n`);

interface Case {
  title: string;
  text: string;
  code: DiagnosticCode;
  fieldPath?: string;
  /** 1-based, as in the message. */
  document?: number;
  line?: number;
  /** Text the message must contain. */
  says: string;
}

const cases: Case[] = [
  // YAML itself
  { title: 'malformed YAML', text: 'kind: Runtime\nname: local\nplugin: "process\n', code: 'YAML_SYNTAX', document: 1, line: 3, says: 'invalid YAML' },
  { title: 'bad indentation in a later document', text: `${RUNTIME_LOCAL}---\nkind: Application\nname: shop\n releaseChannels: []\n`, code: 'YAML_SYNTAX', document: 2, says: 'invalid YAML' },
  { title: 'duplicate key', text: 'kind: Runtime\nname: local\nname: other\nplugin: process\n', code: 'YAML_SYNTAX', line: 3, says: 'unique' },
  // kinds
  { title: 'unknown kind', text: 'kind: Deployment\nname: web\n', code: 'UNKNOWN_KIND', fieldPath: 'kind', line: 1, says: 'unknown kind "Deployment"; allowed kinds: Runtime, Application, Service' },
  { title: 'missing kind', text: 'name: web\n', code: 'UNKNOWN_KIND', says: 'missing kind; allowed kinds: Runtime, Application, Service' },
  { title: 'document that is a list', text: '- kind: Runtime\n', code: 'UNKNOWN_KIND', says: 'must be a mapping' },
  { title: 'document that is a scalar', text: `${RUNTIME_LOCAL}---\nhello\n`, code: 'UNKNOWN_KIND', document: 2, says: 'must be a mapping' },
  { title: 'wrong apiVersion', text: 'apiVersion: driftless/v2\nkind: Runtime\nname: local\nplugin: process\n', code: 'SCHEMA_VIOLATION', fieldPath: 'apiVersion', line: 1, says: 'must be "driftless/v1", got "driftless/v2"' },
  // schema
  { title: 'missing required field', text: 'kind: Runtime\nname: local\n', code: 'SCHEMA_VIOLATION', fieldPath: undefined, says: 'missing required property "plugin"' },
  { title: 'missing channel runtime', text: app('  - name: staging\n'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0]', line: 8, says: 'missing required property "runtime"' },
  { title: 'unknown property with suggestion', text: 'kind: Runtime\nname: local\nplugin: process\nlables: {}\n', code: 'SCHEMA_VIOLATION', fieldPath: 'lables', line: 4, says: 'unknown property "lables"; did you mean "labels"?' },
  { title: 'unknown property in a channel', text: app(`${STAGING}    runtme: local\n`), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].runtme', line: 11, says: 'unknown property "runtme"; did you mean "runtime"?' },
  { title: 'unknown property lists the allowed ones', text: 'kind: Runtime\nname: local\nplugin: process\nzzz: 1\n', code: 'SCHEMA_VIOLATION', fieldPath: 'zzz', says: '(allowed: kind, apiVersion, name, plugin, config, labels, maxConcurrentRollouts, constants, allowedApplications)' },
  { title: 'wrong type', text: app(`${STAGING}    dependsOn: staging\n`), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].dependsOn', line: 11, says: 'must be a list, got a string' },
  { title: 'wrong type of constant', text: app(`  - name: staging\n    runtime: local\n    constants: { port: [1] }\n`), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].constants.port', says: 'must be a string or a number or a boolean' },
  { title: 'enum', text: service('parameters: [{ name: version, type: integer }]\nspec: {}\n'), code: 'SCHEMA_VIOLATION', fieldPath: 'parameters[0].type', says: 'must be one of "string" and "int", got "integer"' },
  { title: 'no channels', text: app('  []\n'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels', says: 'must have at least 1 item' },
  { title: 'service without spec', text: service('parameters: []\n'), code: 'SCHEMA_VIOLATION', document: 3, says: 'missing required property "spec"' },
  { title: 'bad progressDeadline', text: service('spec: {}\nprogressDeadline: 10 minutes\n'), code: 'SCHEMA_VIOLATION', fieldPath: 'progressDeadline', says: 'invalid duration "10 minutes"' },
  { title: 'typo in perChannel override', text: service('spec: {}\nperChannel: { staging: { spek: {} } }\n'), code: 'SCHEMA_VIOLATION', fieldPath: 'perChannel.staging.spek', says: 'did you mean "spec"?' },
  // names
  { title: 'invalid runtime name', text: 'kind: Runtime\nname: Local_1\nplugin: process\n', code: 'INVALID_NAME', fieldPath: 'name', line: 2, says: 'invalid name "Local_1"' },
  { title: 'name ending in a dash', text: 'kind: Runtime\nname: local-\nplugin: process\n', code: 'INVALID_NAME', fieldPath: 'name', says: 'invalid name "local-"' },
  { title: 'name longer than 63', text: `kind: Runtime\nname: ${'a'.repeat(64)}\nplugin: process\n`, code: 'INVALID_NAME', fieldPath: 'name', says: 'at most 63 characters' },
  { title: 'invalid channel name', text: app('  - name: Staging\n    runtime: local\n'), code: 'INVALID_NAME', fieldPath: 'releaseChannels[0].name', line: 8, says: 'invalid name "Staging"' },
  { title: 'invalid parameter name', text: service('parameters: [{ name: my_version }]\nspec: {}\n'), code: 'INVALID_NAME', fieldPath: 'parameters[0].name', says: 'invalid name "my_version"' },
  // duplicates
  { title: 'duplicate runtime', text: `${RUNTIME_LOCAL}---\n${RUNTIME_LOCAL}`, code: 'DUPLICATE_NAME', document: 2, fieldPath: 'name', says: 'duplicate Runtime "local" (also document 1)' },
  { title: 'duplicate channel', text: app(`${STAGING}${STAGING}`), code: 'DUPLICATE_NAME', fieldPath: 'releaseChannels[1].name', says: 'duplicate channel "staging"' },
  { title: 'duplicate parameter', text: service('parameters: [{ name: version }, { name: version }]\nspec: {}\n'), code: 'DUPLICATE_NAME', fieldPath: 'parameters[1].name', says: 'duplicate parameter "version"' },
  { title: 'duplicate dependsOn entry', text: app(`${STAGING}  - name: prod\n    runtime: local\n    dependsOn: [staging, staging]\n`), code: 'DUPLICATE_NAME', fieldPath: 'releaseChannels[1].dependsOn', says: 'must not list "staging" twice' },
  // references
  { title: 'unknown runtime', text: app('  - name: staging\n    runtime: lcal\n'), code: 'UNKNOWN_REFERENCE', fieldPath: 'releaseChannels[0].runtime', line: 9, says: 'unknown runtime "lcal"; did you mean "local"?' },
  { title: 'unknown application', text: `${RUNTIME_LOCAL}---\nkind: Service\nname: web\napplication: shop\nspec: {}\n`, code: 'UNKNOWN_REFERENCE', fieldPath: 'application', says: 'unknown application "shop"' },
  { title: 'unknown perChannel key', text: service('spec: {}\nperChannel:\n  stagin: { spec: { replicas: 1 } }\n'), code: 'UNKNOWN_REFERENCE', fieldPath: 'perChannel.stagin', says: 'unknown channel "stagin" of application "shop"; did you mean "staging"?' },
  // the dependsOn graph
  { title: 'self dependency', text: app('  - name: staging\n    runtime: local\n    dependsOn: [staging]\n'), code: 'DEPENDENCY_CYCLE', fieldPath: 'releaseChannels[0].dependsOn[0]', says: 'dependency cycle: staging -> staging' },
  {
    title: 'two-channel cycle',
    text: app('  - name: staging\n    runtime: local\n    dependsOn: [production]\n  - name: production\n    runtime: local\n    dependsOn: [staging]\n'),
    code: 'DEPENDENCY_CYCLE',
    fieldPath: 'releaseChannels[0].dependsOn[0]',
    says: 'dependency cycle: staging -> production -> staging',
  },
  {
    title: 'three-channel cycle',
    text: app('  - name: a\n    runtime: local\n    dependsOn: [c]\n  - name: b\n    runtime: local\n    dependsOn: [a]\n  - name: c\n    runtime: local\n    dependsOn: [b]\n'),
    code: 'DEPENDENCY_CYCLE',
    says: 'dependency cycle: a -> c -> b -> a',
  },
  // templates
  { title: 'template with unknown param', text: service('parameters: [{ name: version }]\nspec: { image: "web:{{ params.verison }}" }\n'), code: 'TEMPLATE_ERROR', fieldPath: 'spec.image', says: 'unknown parameter "verison" in "{{ params.verison }}"; did you mean "version"? (declared: version)' },
  { title: 'template with param but none declared', text: service('spec: { image: "{{ params.version }}" }\n'), code: 'TEMPLATE_ERROR', says: 'the service declares no parameters' },
  { title: 'template with unknown constant', text: service('spec: { port: "{{ constants.prot }}" }\n'), code: 'TEMPLATE_ERROR', fieldPath: 'spec.port', says: 'unknown constant "prot" in "{{ constants.prot }}": not defined in any channel of application "shop"; did you mean "port"?' },
  {
    title: 'constant missing in one channel',
    text: `${RUNTIME_LOCAL}---\nkind: Application\nname: shop\nreleaseChannels:\n${STAGING}  - { name: production, runtime: local }\n---\nkind: Service\nname: web\napplication: shop\nspec: { args: ["--port", "{{ constants.port }}"] }\n`,
    code: 'TEMPLATE_ERROR',
    fieldPath: 'spec.args[1]',
    says: 'constant "port" in "{{ constants.port }}" is not defined in channel "production"',
  },
  { title: 'template in env with unknown root', text: service('spec: {}\nenv: { A: "{{ version }}" }\n'), code: 'TEMPLATE_ERROR', fieldPath: 'env.A', says: 'unknown template expression "{{ version }}"' },
  { title: 'unclosed template', text: service('spec: { a: "{{ channel.name" }\n'), code: 'TEMPLATE_ERROR', fieldPath: 'spec.a', says: 'unbalanced' },
  { title: 'missing runtime label', text: service('spec: { zone: "{{ runtime.labels.region }}" }\n'), code: 'TEMPLATE_ERROR', says: 'label "region" in "{{ runtime.labels.region }}" is not set on runtime "local" (channels "staging" and "production")' },
  { title: 'template in a perChannel override', text: service('spec: {}\nperChannel: { production: { env: { X: "{{ constants.nope }}" } } }\n'), code: 'TEMPLATE_ERROR', fieldPath: 'perChannel.production.env.X', says: 'not defined in channel "production"' },
  { title: 'params in a channel env', text: app(`${STAGING}    env: { V: "{{ params.version }}" }\n`), code: 'TEMPLATE_ERROR', fieldPath: 'releaseChannels[0].env.V', says: "a channel's env cannot use params" },
  // parameter declarations
  { title: 'int parameter with a text default', text: service('parameters: [{ name: workers, type: int, default: many }]\nspec: {}\n'), code: 'INVALID_PARAMETER', fieldPath: 'parameters[0].default', says: 'must be an integer, got "many"' },
  // gates
  { title: 'bad soak duration', text: gate('soak: { duration: 10 }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].soak.duration', line: 12, says: 'must be a string, got an integer' },
  { title: 'bad duration unit', text: gate('soak: { duration: 10d }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].soak.duration', says: 'invalid duration "10d": use whole numbers with units ms, s, m or h' },
  { title: 'two gate kinds in one entry', text: gate('{ soak: { duration: 1m }, manualApproval: {} }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0]', says: 'a gate must have exactly one of soak, manualApproval, allowedTimes, alerts, httpCheck (found soak, manualApproval)' },
  { title: 'unknown gate kind', text: gate('sok: { duration: 1m }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].sok', says: 'unknown property "sok"; did you mean "soak"?' },
  { title: 'zero approvers', text: gate('manualApproval: { minApprovers: 0 }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].manualApproval.minApprovers', says: 'must be >= 1, got 0' },
  { title: 'bad timezone', text: gate('allowedTimes: { timezone: Europe/Berlni }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].allowedTimes.timezone', line: 12, says: 'unknown time zone "Europe/Berlni"' },
  { title: 'hours out of range', text: gate('allowedTimes: { hours: "9-25" }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].allowedTimes.hours', says: 'invalid hours "9-25"' },
  { title: 'empty hours window', text: gate('allowedTimes: { hours: "9-9" }'), code: 'SCHEMA_VIOLATION', says: 'the window is empty' },
  { title: 'hours not a range', text: gate('allowedTimes: { hours: "9am" }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].allowedTimes.hours', says: 'invalid hours "9am"' },
  { title: 'bad day', text: gate('allowedTimes: { days: mon-fry }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].allowedTimes.days', says: 'invalid days "mon-fry"' },
  { title: 'bad day in a list', text: gate('allowedTimes: { days: [mon, funday] }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].allowedTimes.days[1]', says: 'invalid days "funday"' },
  { title: 'alerts without alertmanager', text: gate('alerts: { matchers: { severity: critical } }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].alerts', says: 'missing required property "alertmanager"' },
  { title: 'httpCheck with a bad URL', text: gate('httpCheck: { url: "localhost:8080/healthz x" }'), code: 'SCHEMA_VIOLATION', fieldPath: 'releaseChannels[0].gates[0].httpCheck.url', says: 'must be an absolute URL' },
  { title: 'httpCheck with a bad status', text: gate('httpCheck: { url: "http://x/", expectStatus: 700 }'), code: 'SCHEMA_VIOLATION', says: 'must be <= 599, got 700' },
];

function onlyOne(diagnostics: Diagnostic[], code: DiagnosticCode): Diagnostic {
  const matching = diagnostics.filter((d) => d.code === code);
  expect(matching, diagnostics.map((d) => d.message).join('\n')).toHaveLength(1);
  return matching[0]!;
}

describe('parseConfig rejects bad input', () => {
  it.each(cases)('$title', ({ text, code, fieldPath, document, line, says }) => {
    const result = parseConfig(text);
    expect(result.ok).toBe(false);
    const found = code === 'YAML_SYNTAX' ? result.diagnostics.find((d) => d.code === code)! : onlyOne(result.diagnostics, code);
    expect(found, result.diagnostics.map((d) => d.message).join('\n')).toBeDefined();
    expect(found.message).toContain(says);
    if (fieldPath !== undefined) expect(found.fieldPath).toBe(fieldPath);
    if (document !== undefined) {
      expect(found.documentIndex).toBe(document - 1);
      expect(found.message.startsWith(`document ${document}`)).toBe(true);
    }
    if (line !== undefined) {
      expect(found.line).toBe(line);
      expect(found.message.endsWith(`(line ${line})`)).toBe(true);
    }
  });
});

describe('diagnostic messages', () => {
  const dependsOnTypo = (name: string) =>
    app(`${STAGING}  - name: production
    runtime: local
    dependsOn:
      - ${name}
`);

  it('use the documented format, with a suggestion when a known name is close', () => {
    const result = parseConfig(dependsOnTypo('stagin'));
    expect(result.diagnostics).toEqual([
      {
        code: 'UNKNOWN_REFERENCE',
        message: 'document 2 (Application shop): releaseChannels[1].dependsOn[0]: unknown channel "stagin"; did you mean "staging"? (line 14)',
        documentIndex: 1,
        kind: 'Application',
        name: 'shop',
        fieldPath: 'releaseChannels[1].dependsOn[0]',
        line: 14,
      },
    ]);
  });

  it('say only what was not found when nothing is close', () => {
    const result = parseConfig(dependsOnTypo('canary'));
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'document 2 (Application shop): releaseChannels[1].dependsOn[0]: unknown channel "canary" (line 14)',
    ]);
  });

  it('collect every problem of every document, in reading order', () => {
    const text = `kind: Runtime
name: Bad_Name
plugin: process
---
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: nowhere
    gates:
      - soak: { duration: soon }
      - allowedTimes: { timezone: Nowhere/City }
---
kind: Thing
`;
    const result = parseConfig(text);
    expect(result.diagnostics.map((d) => [d.code, d.documentIndex, d.line])).toEqual([
      ['INVALID_NAME', 0, 2],
      ['SCHEMA_VIOLATION', 1, 11],
      ['SCHEMA_VIOLATION', 1, 12],
      ['UNKNOWN_KIND', 2, 14],
    ]);
  });

  it('do not blame references to a document that is itself invalid', () => {
    const text = `kind: Runtime\nname: local\nplugn: process\n---\nkind: Application\nname: shop\nreleaseChannels: [{ name: staging, runtime: local }]\n`;
    const result = parseConfig(text);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SCHEMA_VIOLATION', 'SCHEMA_VIOLATION']);
    expect(result.diagnostics.every((d) => d.documentIndex === 0)).toBe(true);
  });
});
