/**
 * Golden test: the hello example compiled for release version=v1. When the output changes on
 * purpose, regenerate with UPDATE_GOLDEN=1 and review the diff by eye before committing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRelease, parseConfig } from '../../server/compiler/index.js';

const exampleUrl = new URL('../../examples/hello/driftless.yaml', import.meta.url);
const goldenUrl = new URL('./golden/hello.v1.json', import.meta.url);

describe('examples/hello/driftless.yaml', () => {
  const parsed = parseConfig(readFileSync(exampleUrl, 'utf8'));

  it('parses without diagnostics', () => {
    expect(parsed.diagnostics).toEqual([]);
  });

  it('compiles release version=v1 to the golden desired state', () => {
    if (!parsed.ok) throw new Error('example does not parse');
    const { applications, services, runtimes } = parsed.value;
    const compiled = compileRelease({ application: applications[0]!, service: services[0]!, runtimes, params: { version: 'v1' } });
    expect(compiled.diagnostics).toEqual([]);
    const actual = `${JSON.stringify(compiled.ok ? compiled.value : null, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenUrl, actual);
    expect(actual).toBe(readFileSync(goldenUrl, 'utf8'));
  });
});
