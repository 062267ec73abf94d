import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';
import { runCli } from './run-cli.js';

async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    return false;
  } catch {
    return true;
  }
}

describe('driftless demo --exit', () => {
  it('starts a server, applies examples/hello, delivers v1 then v2 to staging and production (approving it), then stops everything', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-demo-'));
    const staging = await freePortRange(1);
    const production = await freePortRange(2);
    try {
      const res = await runCli(['demo', '--exit', '--data-dir', dataDir, '--ports', `${staging},${production}`], { token: null });
      expect(res.code, res.stderr + res.stdout).toBe(0);
      const out = res.stdout;
      expect(out).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/  ·  API and GraphQL IDE: http:\/\/127\.0\.0\.1:\d+\/graphql/);
      expect(out).toMatch(/3 created, 0 updated, 0 unchanged/);
      for (const version of ['v1', 'v2']) {
        expect(out).toContain(`approved ${version} for production`);
        expect(out).toContain(`${version} converged in staging and production`);
        expect(out).toContain(`staging    http://127.0.0.1:${staging}/  →  hello from ${version} in staging`);
        expect(out).toContain(`production http://127.0.0.1:${production}/  →  hello from ${version} in production`);
      }
      // The order a reader expects: v1 everywhere before v2 starts.
      expect(out.indexOf('v1 converged in staging and production')).toBeLessThan(out.indexOf('Releasing hello/web v2'));
      expect(out).toMatch(/Stopping the hello apps and the server/);
      // --exit leaves nothing running.
      await waitFor(async () => (await refused(staging)) && (await refused(production)) && (await refused(production + 1)), 'the demo apps to stop', 20_000, 200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
