/** compileRelease: parameters, rendering, precedence, order, gates, digests. */
import { describe, expect, it } from 'vitest';
import { compileRelease, type CompiledChannelState } from '../../server/compiler/index.js';
import { parseValid, RUNTIME_LOCAL, SHOP, type Parsed } from './fixtures.js';

const shop = parseValid(SHOP);

function compile(parsed: Parsed, params: Record<string, unknown>, previewMissingParams = false) {
  return compileRelease({ application: parsed.application, service: parsed.service, runtimes: parsed.runtimes, params }, { previewMissingParams });
}

function compileOk(parsed: Parsed, params: Record<string, unknown>): Record<string, CompiledChannelState> {
  const result = compile(parsed, params);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return Object.fromEntries(result.value.map((s) => [s.channel, s]));
}

/** A service with the given body in an application with staging and production. */
function serviceIn(body: string, channels = '  - { name: staging, runtime: local, constants: { port: 8100, on: true } }\n  - { name: production, runtime: local, dependsOn: [staging], constants: { port: 8200, on: false } }\n'): Parsed {
  return parseValid(`${RUNTIME_LOCAL}---\nkind: Application\nname: shop\nreleaseChannels:\n${channels}---\nkind: Service\nname: web\napplication: shop\n${body}`);
}

describe('compileRelease parameters', () => {
  const params = serviceIn(`parameters:
  - { name: version, required: true }
  - { name: workers, type: int, default: 2 }
  - { name: note }
spec: { v: "{{ params.version }}", w: "{{ params.workers }}" }
`);

  it.each([
    ['a string', { version: 'v1' }, { version: 'v1', workers: 2 }],
    ['a number for a string parameter, as text', { version: 2 }, { version: '2', workers: 2 }],
    ['digits for an int parameter, as a number', { version: 'v1', workers: '4' }, { version: 'v1', workers: 4 }],
    ['a negative int', { version: 'v1', workers: -1 }, { version: 'v1', workers: -1 }],
    ['an optional parameter', { version: 'v1', note: 'hi' }, { version: 'v1', workers: 2, note: 'hi' }],
  ])('accepts %s', (_title, given, expected) => {
    expect(compileOk(params, given).staging!.params).toEqual(expected);
  });

  it.each([
    ['a missing required parameter', {}, 'MISSING_PARAMETER', 'Service web: params.version: missing required parameter "version"'],
    ['an undeclared parameter', { version: 'v1', verison: 'v2' }, 'UNKNOWN_PARAMETER', 'Service web: params.verison: unknown parameter "verison"; did you mean "version"? (declared: version, workers, note)'],
    ['text for an int parameter', { version: 'v1', workers: 'four' }, 'INVALID_PARAMETER', 'Service web: params.workers: parameter "workers" (int) must be an integer, got "four"'],
    ['a fraction for an int parameter', { version: 'v1', workers: 1.5 }, 'INVALID_PARAMETER', 'must be an integer, got 1.5'],
    ['a boolean for a string parameter', { version: true }, 'INVALID_PARAMETER', 'parameter "version" (string) must be a string, got true'],
    ['an object for a string parameter', { version: { v: 1 } }, 'INVALID_PARAMETER', 'must be a string'],
  ])('rejects %s', (_title, given, code, message) => {
    const result = compile(params, given);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]!.code).toBe(code);
    expect(result.diagnostics[0]!.message).toContain(message);
  });

  it('reports every parameter problem at once', () => {
    const result = compile(params, { workers: 'x', extra: 1 });
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual(['INVALID_PARAMETER', 'MISSING_PARAMETER', 'UNKNOWN_PARAMETER']);
  });

  it('renders missing parameters as placeholders in a preview', () => {
    const result = compile(params, {}, true);
    if (!result.ok) throw new Error(result.diagnostics[0]!.message);
    expect(result.value[0]!.spec).toEqual({ v: '<params.version>', w: 2 });
    expect(result.value[0]!.params).toEqual({ version: '<params.version>', workers: 2 });
  });

  it('fails on an optional parameter without value that a template uses', () => {
    const parsed = serviceIn('parameters: [{ name: note }]\nspec: { n: "{{ params.note }}" }\n');
    const result = compile(parsed, {});
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TEMPLATE_ERROR', 'TEMPLATE_ERROR']);
    expect(result.diagnostics[0]!.message).toBe(
      'Service web: spec.n: parameter "note" in "{{ params.note }}" has no value: the release does not set it and it has no default (channel "staging")',
    );
  });
});

describe('compileRelease rendering', () => {
  it.each([
    ['a number constant keeps its type', '"{{ constants.port }}"', 8100],
    ['a boolean constant keeps its type', '"{{ constants.on }}"', true],
    ['no whitespace inside braces', '"{{constants.port}}"', 8100],
    ['lots of whitespace inside braces', '"{{    constants.port   }}"', 8100],
    ['a constant inside text is text', '"port-{{ constants.port }}"', 'port-8100'],
    ['two expressions are text', '"{{ constants.port }}{{ constants.port }}"', '81008100'],
    ['surrounding spaces make it text', '" {{ constants.port }}"', ' 8100'],
    ['names', '"{{ application.name }}.{{ channel.name }}@{{ runtime.name }}"', 'shop.staging@local'],
    ['a string parameter', '"{{ params.version }}"', 'v1'],
    ['an int parameter keeps its type', '"{{ params.count }}"', 3],
    ['text without templates', '"plain"', 'plain'],
  ])('%s', (_title, yamlValue, expected) => {
    const parsed = serviceIn(`parameters: [{ name: version }, { name: count, type: int }]\nspec: { value: ${yamlValue} }\n`);
    expect(compileOk(parsed, { version: 'v1', count: 3 }).staging!.spec.value).toEqual(expected);
  });

  it('renders strings anywhere in nested objects and lists, never keys', () => {
    const parsed = serviceIn('spec:\n  "{{ channel.name }}": k\n  list: [a, { deep: ["{{ constants.port }}"] }]\n');
    expect(compileOk(parsed, {}).production!.spec).toEqual({ '{{ channel.name }}': 'k', list: ['a', { deep: [8200] }] });
  });

  it('leaves numbers, booleans and null alone', () => {
    const parsed = serviceIn('spec: { a: 1, b: false, c: null, d: 1.5 }\n');
    expect(compileOk(parsed, {}).staging!.spec).toEqual({ a: 1, b: false, c: null, d: 1.5 });
  });

  it('reads runtime labels', () => {
    expect(compileOk(shop, { version: 'v1' }).staging!.spec.label).toBe('shop/staging on local in z1');
  });

  it('turns typed values into strings in env', () => {
    const parsed = serviceIn('spec: {}\nenv: { PORT: "{{ constants.port }}", ON: "{{ constants.on }}" }\n');
    expect(compileOk(parsed, {}).staging!.env).toEqual({ PORT: '8100', ON: 'true' });
  });

  it('fails on a reference that is not there, pointing at the override that uses it', () => {
    // Documents that did not pass parseConfig (e.g. older stored ones) are still checked strictly.
    const parsed = serviceIn('spec: {}\n');
    parsed.service.perChannel = { production: { spec: { x: { y: '{{ constants.missing }}' } } } };
    const result = compile(parsed, {});
    expect(result.diagnostics.map((d) => [d.code, d.fieldPath])).toEqual([['TEMPLATE_ERROR', 'perChannel.production.spec.x.y']]);
    expect(result.diagnostics[0]!.message).toBe(
      'Service web: perChannel.production.spec.x.y: unknown constant "missing" in "{{ constants.missing }}": not defined in channel "production" (channel "production")',
    );
  });
});

describe('compileRelease precedence', () => {
  const states = compileOk(shop, { version: 'v7' });

  it('deep-merges perChannel spec over the service spec: objects merge, values replace', () => {
    expect(states.staging!.spec.replicas).toBe(2);
    expect(states.production!.spec.replicas).toBe(3);
    expect(states.production!.spec.healthCheck).toEqual({ path: '/healthz', timeoutSeconds: 9 });
  });

  it('replaces lists instead of merging them', () => {
    const parsed = serviceIn('spec: { args: [a, b, c] }\nperChannel: { production: { spec: { args: [z] } } }\n');
    const compiled = compileOk(parsed, {});
    expect(compiled.staging!.spec.args).toEqual(['a', 'b', 'c']);
    expect(compiled.production!.spec.args).toEqual(['z']);
  });

  it('merges env: channel < service < perChannel', () => {
    expect(states.staging!.env).toEqual({ LOG_LEVEL: 'warn', REGION: 'eu-west', WORKERS: '2' });
    expect(states.production!.env).toEqual({ LOG_LEVEL: 'error', WORKERS: '2' });
  });

  it('renders per channel', () => {
    expect(states.staging!.spec.env).toEqual({ VERSION: 'v7', REGION: 'eu-west' });
    expect(states.production!.spec.env).toEqual({ VERSION: 'v7', REGION: 'eu-central' });
    expect(states.staging!.spec.basePort).toBe(8100);
    expect(states.production!.spec.basePort).toBe(8200);
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(shop);
    compileOk(shop, { version: 'v8' });
    expect(JSON.stringify(shop)).toBe(before);
  });
});

describe('compileRelease gates and deadlines', () => {
  it('compiles every gate kind with defaults applied', () => {
    const production = compileOk(shop, { version: 'v1' }).production!;
    expect(production.gates).toEqual([
      { type: 'soak', durationMs: 600_000 },
      { type: 'manualApproval', minApprovers: 1 },
      { type: 'allowedTimes', days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timezone: 'Europe/Berlin' },
      { type: 'alerts', alertmanager: 'http://127.0.0.1:9093', matchers: { severity: 'critical' } },
      { type: 'httpCheck', url: 'http://127.0.0.1:8200/healthz', expectStatus: 200, durationMs: 120_000, intervalMs: 5000 },
    ]);
    expect(production.progressDeadlineMs).toBe(600_000);
  });

  it('takes progressDeadline from the service', () => {
    expect(compileOk(serviceIn('spec: {}\nprogressDeadline: 1h30m\n'), {}).staging!.progressDeadlineMs).toBe(5_400_000);
  });
});

describe('compileRelease channel order', () => {
  const channelsOf = (channels: string) =>
    compile(serviceIn('spec: {}\n', channels), {}).ok ? (compile(serviceIn('spec: {}\n', channels), {}) as { value: CompiledChannelState[] }).value.map((s) => s.channel) : [];

  it.each([
    ['declaration order without dependencies', '  - { name: a, runtime: local }\n  - { name: b, runtime: local }\n  - { name: c, runtime: local }\n', ['a', 'b', 'c']],
    ['dependencies first', '  - { name: prod, runtime: local, dependsOn: [staging] }\n  - { name: staging, runtime: local }\n', ['staging', 'prod']],
    [
      'a diamond, stable otherwise',
      '  - { name: prod-eu, runtime: local, dependsOn: [canary] }\n  - { name: prod-us, runtime: local, dependsOn: [canary] }\n  - { name: canary, runtime: local, dependsOn: [staging] }\n  - { name: staging, runtime: local }\n  - { name: dev, runtime: local }\n',
      ['staging', 'canary', 'prod-eu', 'prod-us', 'dev'],
    ],
    [
      'a channel waiting for two',
      '  - { name: final, runtime: local, dependsOn: [b, a] }\n  - { name: a, runtime: local }\n  - { name: b, runtime: local, dependsOn: [a] }\n',
      ['a', 'b', 'final'],
    ],
  ])('%s', (_title, channels, expected) => {
    expect(channelsOf(channels)).toEqual(expected);
  });

  it('refuses a cycle in stored documents', () => {
    const parsed = serviceIn('spec: {}\n');
    parsed.application.releaseChannels[0]!.dependsOn = ['production'];
    const result = compile(parsed, {});
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['DEPENDENCY_CYCLE', 'Application shop: releaseChannels: dependency cycle: staging -> production -> staging'],
    ]);
  });

  it('refuses an unknown runtime', () => {
    const result = compileRelease({ application: shop.application, service: shop.service, runtimes: [], params: { version: 'v1' } });
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'Application shop: releaseChannels[0].runtime: unknown runtime "local"',
      'Application shop: releaseChannels[1].runtime: unknown runtime "local"',
    ]);
  });

  it('refuses a service of another application', () => {
    const other = { ...shop.service, application: 'blog' };
    const result = compileRelease({ application: shop.application, service: other, runtimes: shop.runtimes, params: { version: 'v1' } });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['UNKNOWN_REFERENCE']);
  });
});

describe('compileRelease digests', () => {
  const base = compileOk(shop, { version: 'v1' });

  it('differ per channel and are sha256 hex', () => {
    expect(base.staging!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(base.staging!.digest).not.toBe(base.production!.digest);
  });

  it('are stable across runs and key order in the YAML', () => {
    const reordered = parseValid(SHOP.replace('  command: node\n  args: [server.js]\n', '  args: [server.js]\n  command: node\n'));
    expect(Object.keys(reordered.service.spec)).not.toEqual(Object.keys(shop.service.spec));
    const again = compileOk(reordered, { version: 'v1' });
    expect(again.staging!.digest).toBe(base.staging!.digest);
    expect(again.production!.digest).toBe(base.production!.digest);
  });

  it.each([
    ['a parameter', SHOP, { version: 'v2' }],
    ['the spec', SHOP.replace('replicas: 2', 'replicas: 4'), { version: 'v1' }],
    ['the env', SHOP.replace('LOG_LEVEL: warn', 'LOG_LEVEL: trace'), { version: 'v1' }],
  ])('change when %s changes', (_title, text, params) => {
    expect(compileOk(parseValid(text), params).staging!.digest).not.toBe(base.staging!.digest);
  });

  it('ignore gates, which the plugin never sees', () => {
    const text = SHOP.replace('      - soak: { duration: 10m }\n', '');
    expect(compileOk(parseValid(text), { version: 'v1' }).production!.digest).toBe(base.production!.digest);
  });
});

describe('compileRelease progressive rollouts', () => {
  const withSteps = (steps: string, spec = '{ replicas: 4 }') =>
    serviceIn(`spec: ${spec}\nrollout:\n  steps:\n${steps}`, '  - { name: production, runtime: local }\n');

  it('turns percentages into replicas of the spec and ends with every replica', () => {
    const state = compileOk(withSteps('    - replicas: 1\n    - percent: 50\n      analysis: [{ httpCheck: { url: "http://lb/healthz", duration: 20s } }]\n    - pause: 2m\n'), {}).production!;
    expect(state.rollout?.steps).toEqual([
      { kind: 'replicas', replicas: 1, analysis: [], analysisMs: 0 },
      { kind: 'replicas', replicas: 2, percent: 50, analysis: [expect.objectContaining({ type: 'httpCheck', url: 'http://lb/healthz' })], analysisMs: 20_000 },
      { kind: 'pause', durationMs: 120_000 },
      { kind: 'replicas', replicas: 4, percent: 100, analysis: [], analysisMs: 0 },
    ]);
  });

  it('compiles the steps into the state, so a release pins them (and a change of steps changes the rules)', () => {
    const a = compileOk(withSteps('    - replicas: 1\n'), {}).production!;
    const b = compileOk(withSteps('    - replicas: 2\n'), {}).production!;
    expect(a.rollout).not.toEqual(b.rollout);
  });

  it.each([
    ['a step with two kinds', '    - { replicas: 1, pause: 1m }\n', 'rollout.steps[0]', 'a step has one of replicas, percent or pause, not replicas and pause'],
    ['more replicas than the spec runs', '    - replicas: 9\n', 'rollout.steps[0].replicas', 'step of 9 replicas is more than the 4 the spec runs'],
    ['a trailing pause when the spec has no replicas to finish with', '    - replicas: 1\n    - pause: 2m\n', 'rollout.steps[1]', 'the last step runs every replica, so it cannot be a pause', '{ command: x }'],
  ])('reports %s with its path', (_t, steps, path, message, spec?: string) => {
    const result = compile(withSteps(steps, spec), {});
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]!.message).toContain(message);
    expect(result.diagnostics[0]!.message).toContain(path);
  });
});
