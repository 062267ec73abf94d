// The conformance kit on the ssh runtime against two real sshd hosts, the hello app on each: the
// whole contract, including "runs rollout steps" (step 1 of 2 moves one host of two).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatReport, runConformance } from '../../../server/conformance/index.js';
import { freePortRange } from '../../../test/helpers/ports.js';
import { startSshFleet, type SshFleet } from '../../../test/helpers/sshd.js';
import { fleetConfig, helloTarget } from './helpers.js';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let fleet: SshFleet;
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-ssh-conformance-'));
beforeAll(async () => {
  fleet = await startSshFleet(2);
});
afterAll(async () => {
  // The kit deletes its instance (that stops the processes); then the hosts go.
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('passes the conformance kit on two real sshd hosts, rollout steps included', { timeout: 120_000 }, async () => {
  const base = await freePortRange(2);
  const fixture = path.join(dir, 'driftless.fixture.json');
  writeFileSync(
    fixture,
    JSON.stringify({
      config: fleetConfig(fleet, [base, base + 1]),
      instance: { application: 'conformance', channel: 'test', service: 'hello' },
      spec: helloTarget('v1').spec,
      next: { spec: helloTarget('v2').spec },
      invalidSpec: { start: '' },
      timeoutMs: 30_000,
    }),
  );
  const report = await runConformance(PACKAGE_DIR, { fixture });
  expect(report.loadError, formatReport(report)).toBeUndefined();
  expect(report.passed, formatReport(report)).toBe(true);
  expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.name), formatReport(report)).toEqual([]);
  expect(report.checks.find((c) => c.name === 'runs rollout steps')?.detail).toMatch(/^step 1 of 2 asked for 1 replica of 2 on conformance-3: it ran 1 replica next to 1 replica of conformance-2 /);
});
