import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatReport, runConformance } from '../../../server/conformance/index.js';
import { harness, sweepLabel, WEB_IMAGE, type Harness } from './helpers.js';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  // The kit deletes its instance; this catches what a failed check might leave.
  await sweepLabel(h.docker, 'org.driftless.conformance=docker');
});

it('passes the conformance kit with its own fixture (driftless.fixture.mjs), against the real Engine', { timeout: 180_000 }, async () => {
  // The fixture reads these: the run's Engine, and a local image with busybox (no registry here).
  process.env.DRIFTLESS_DOCKER_ENDPOINT = h.daemon.endpoint;
  process.env.DRIFTLESS_DOCKER_IMAGE = WEB_IMAGE.v1;
  try {
    const report = await runConformance(PACKAGE_DIR);
    expect(report.loadError, formatReport(report)).toBeUndefined();
    expect(report.passed, formatReport(report)).toBe(true);
    expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.name)).toEqual([]);
    // Two replicas: step 1 of 2 runs one container of the third release next to one of the second.
    expect(report.checks.find((c) => c.name === 'runs rollout steps')?.detail).toMatch(/^step 1 of 2 asked for 1 replica of 2 on conformance-3: it ran 1 replica next to 1 replica of conformance-2 /);
  } finally {
    delete process.env.DRIFTLESS_DOCKER_ENDPOINT;
    delete process.env.DRIFTLESS_DOCKER_IMAGE;
  }
});
