import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECK, formatReport, runConformance } from '../../server/conformance/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('the conformance kit on plugins that break the contract', () => {
  it.each([
    ['fetch-mutates', CHECK.fetchPure, /^two fetches of a fresh instance with nothing in between differ: first saw nothing, then web SUCCEEDED \[conformance-1 1\/1 active\]$/],
    ['apply-not-idempotent', CHECK.idempotent, /^applying the converged target again changed what fetch sees: before web SUCCEEDED \[conformance-1 2\/2 active\], after web SUCCEEDED \[conformance-1 4\/4 active\]$/],
    ['ignores-abort', CHECK.applyAbort, /^apply of conformance-2 was aborted 50 ms after it started and had not settled 1000 ms later: pass ctx\.signal/],
    ['ignores-steps', CHECK.rolloutSteps, /^the plugin declares capabilities\.rolloutSteps but does not honour TargetState\.step: step 1 of 2 asked for 2 replicas of 4 on conformance-3 and 2 replicas left on conformance-2, but fetch reports 4 replicas on conformance-3 and 0 replicas of conformance-2 available \(fetch: web SUCCEEDED \[conformance-3 4\/4 active\]\); run only step\.replicas replicas/],
    ['plain-error', CHECK.typedErrors, /^apply of an invalid spec \(replicas: must be integer\) threw a plain error \(replicas must be an integer\): the engine retries that; throw TerminalError/],
  ])('%s fails exactly "%s", with the reason', async (name, check, detail) => {
    const report = await runConformance(fixture(name));
    const failed = report.checks.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.name), formatReport(report)).toEqual([check]);
    expect(failed[0]!.detail).toMatch(detail);
    expect(report.passed).toBe(false);
    expect(report.loadError).toBeUndefined();
  });

  it('malformed state fails the shape check with the field, and the checks that need state are skipped', async () => {
    const report = await runConformance(fixture('malformed-state'));
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName[CHECK.stateShape]).toMatchObject({ status: 'failed', detail: 'fetch (fresh instance): objects[0].versions[0].replicas must be a non-negative integer (got "one")' });
    expect(byName[CHECK.fetchPure]).toMatchObject({ status: 'skipped', detail: 'needs well-formed state from fetch' });
    expect(byName[CHECK.converges]?.status).toBe('failed');
    expect(byName[CHECK.idempotent]).toMatchObject({ status: 'skipped', detail: 'not reached: an earlier check failed' });
  });

  it.each([
    ['wrong-api', 'the server refuses conformance-broken-wrong-api: speaks plugin apiVersion 2; this server speaks 1'],
    ['missing-export', 'the server refuses conformance-broken-missing-export: has no default export; a plugin must `export default definePluginRuntime({ ... })`'],
  ])('%s is refused exactly as the server refuses it, and nothing else runs', async (name, reason) => {
    const report = await runConformance(fixture(name));
    expect(report.loadError).toBe(reason);
    expect(report.checks[0]).toEqual({ name: CHECK.load, status: 'failed', detail: reason });
    expect(report.checks.slice(1).every((c) => c.status === 'skipped' && c.detail === 'the plugin did not load')).toBe(true);
  });

  it('a directory that is not a plugin package says what is missing', async () => {
    expect((await runConformance('/definitely/not/here')).loadError).toBe('/definitely/not/here is not a directory');
    expect((await runConformance(fixture(''))).loadError).toMatch(/fixtures has no package\.json$/);
    const notPlugin = await runConformance(fileURLToPath(new URL('../../plugins/sdk', import.meta.url)));
    expect(notPlugin.loadError).toMatch(/plugins\/sdk\/package\.json does not declare a runtime plugin: add "driftless": \{ "runtimePlugin": 1 \}$/);
  });

  it('a missing or malformed fixture is named with its file and field', async () => {
    const missing = await runConformance(fixture('fetch-mutates'), { fixture: fixture('nope.json') });
    expect(missing.loadError).toBe(`fixture ${fixture('nope.json')} does not exist`);
    const broken = await runConformance(fixture('fetch-mutates'), { fixture: fixture('bad.fixture.json') });
    expect(broken.loadError).toBe(`fixture ${fixture('bad.fixture.json')}: spec must be an object; next.params must map names to strings or numbers; instance.region is not a field of an instance identity`);
    expect(broken.checks.find((c) => c.name === CHECK.fixture)?.status).toBe('failed');
  });
});
