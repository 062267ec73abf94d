import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatReport, runConformance, type ConformanceReport } from '../../server/conformance/index.js';

const repo = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const fixtures = (rel: string) => fileURLToPath(new URL(`./fixtures/${rel}`, import.meta.url));

function expectAllPassed(report: ConformanceReport, skipped: string[] = []) {
  const failed = report.checks.filter((c) => c.status === 'failed');
  expect(failed, formatReport(report)).toEqual([]);
  expect(report.passed).toBe(true);
  expect(report.loadError).toBeUndefined();
  expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.name)).toEqual(skipped);
}

describe('the conformance kit on plugins that keep the contract', () => {
  it('passes the third-party file runtime with its own fixture', async () => {
    const report = await runConformance(repo('examples/plugin-file-runtime'));
    expectAllPassed(report, ['runs rollout steps']);
    expect(report.checks.find((c) => c.name === 'runs rollout steps')?.detail).toBe('the plugin does not declare capabilities.rolloutSteps (the server refuses rollout.steps on its runtimes)');
    expect(report.plugin).toMatchObject({ name: 'file', packageName: 'driftless-runtime-file' });
    expect(report.fixture).toBe(repo('examples/plugin-file-runtime/driftless.fixture.json'));
    expect(report.checks.find((c) => c.name === 'errors are typed')?.detail).toMatch(/threw TerminalError: spec\.content is required/);
  });

  it('passes the process runtime on real processes (the hello app, two replicas, health-checked)', { timeout: 60_000 }, async () => {
    const report = await runConformance(repo('plugins/runtime-process'), { fixture: fixtures('process.fixture.mjs') });
    expectAllPassed(report);
    expect(report.checks.find((c) => c.name === 'rolls to a new release')?.detail).toMatch(/hello SUCCEEDED \[conformance-2 2\/2 active\]/);
    // It declares capabilities.rolloutSteps: one of two replicas at step 1, both at the last step.
    expect(report.checks.find((c) => c.name === 'runs rollout steps')?.detail).toMatch(
      /^step 1 of 2 asked for 1 replica of 2 on conformance-3: it ran 1 replica next to 1 replica of conformance-2 \(hello SUCCEEDED \[conformance-3 1\/1 active, conformance-2 1\/1 active\]\); the last step, without step, converged on 2 replicas$/,
    );
    expect(report.checks.find((c) => c.name === 'delete removes the instance')?.status).toBe('passed');
  });

  it('passes the fake runtime; what it does not do (typed errors, delete) is skipped with the reason', async () => {
    const report = await runConformance(repo('plugins/runtime-fake'), { fixture: fixtures('fake.fixture.json') });
    expectAllPassed(report, ['runs rollout steps', 'errors are typed', 'delete removes the instance']);
    expect(report.checks.find((c) => c.name === 'delete removes the instance')?.detail).toBe('the plugin has no delete hook: removed instances are left on the backend');
  });

  it('prints one line per check and a summary', async () => {
    const text = formatReport(await runConformance(repo('examples/plugin-file-runtime')));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Conformance of plugin "file" 0\.1\.0 \(driftless-runtime-file\) at /);
    expect(lines.filter((l) => l.includes('✓'))).toHaveLength(13);
    expect(lines.at(-1)).toMatch(/PASS 13 passed, 0 failed, 1 skipped in \d+\.\d s/);
  });
});
