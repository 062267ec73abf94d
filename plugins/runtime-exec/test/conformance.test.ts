import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { formatReport, runConformance } from '../../../server/conformance/index.js';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('passes the conformance kit with its own fixture (driftless.fixture.mjs)', { timeout: 30_000 }, async () => {
  const report = await runConformance(PACKAGE_DIR);
  expect(report.loadError, formatReport(report)).toBeUndefined();
  expect(report.passed, formatReport(report)).toBe(true);
  // One process per host, no replicas to step through: it does not declare capabilities.rolloutSteps.
  expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.name)).toEqual(['runs rollout steps']);
});
