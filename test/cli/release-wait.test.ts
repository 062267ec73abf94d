import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { fakeConfig, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { expectCleanFailure, runCli, startCli } from './run-cli.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100, maxAttempts: 2, fetchTimeoutMs: 1000, applyTimeoutMs: 1000 };

afterEach(async () => {
  await control.reset();
});

describe('driftless release --wait (not a TTY: one line per change)', () => {
  it('prints each status change and exits 0 when every channel converges; exits 1 when staging rolls back', async () => {
    await using server = await startTestServer({ engine: FAST });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig() })).applyConfig.userErrors).toEqual([]);

    const ok = await runCli(['release', 'shop/web', '--param', 'version=v1', '--wait', '--timeout', '30s'], { url: server.url });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    const lines = ok.stdout.trim().split('\n');
    expect(lines[0]).toBe('Created release v1 (#1) of shop/web; following it (up to 30s).');
    expect(lines.some((l) => /^\[\s*[\d.]+s\] staging: CONVERGED - running v1$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[\s*[\d.]+s\] production: CONVERGED - running v1$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^v1 converged in every channel \(staging, production\) after \d+s\.$/);
    // Line by line: no terminal control codes in a CI log.
    expect(ok.stdout).not.toMatch(/\u001b\[/);

    // The next apply in staging fails for good: the engine rolls staging back to v1.
    await control.failApply({ application: 'shop', channel: 'staging' }, { times: 1, terminal: true, message: 'image not found' });
    const bad = await runCli(['release', 'shop/web', '--param', 'version=v2-broken', '--wait', '--timeout', '30s'], { url: server.url });
    expectCleanFailure(bad, 1, /^error: v2-broken failed in staging: (ROLLED_BACK|ROLLING_BACK) - .*image not found/);
    expect(bad.stdout).toMatch(/staging: ROLLING_BACK|staging: ROLLED_BACK/);
  });

  it('waits at a manual approval with the approve hint, times out with exit 1, and converges once approved', async () => {
    await using server = await startTestServer({ engine: FAST });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'driftless-cli-')), 'shop.yaml');
    writeFileSync(file, fakeConfig({ productionGates: '      - manualApproval: { minApprovers: 1 }' }));
    expect((await runCli(['apply', '-f', file], { url: server.url })).code).toBe(0);

    const hint = 'driftless approve shop/web --channel production --release 1';
    // Long enough for staging to converge on a loaded machine, so the wait ends at the approval.
    const timedOut = await runCli(['release', 'shop/web', '-p', 'version=v1', '--wait', '--timeout', '8s'], { url: server.url });
    expectCleanFailure(timedOut, 1, /^error: timed out after 8s: production is WAITING \(awaiting approval.*\)\nhint: approve with: driftless approve shop\/web --channel production --release 1\n$/);
    expect(timedOut.stdout).toContain(`approve with: ${hint}`);

    // A second release waits the same way; approving it from another CLI lets the first one finish.
    const waiting = startCli(['release', 'shop/web', '-p', 'version=v2', '--wait', '--timeout', '30s'], { url: server.url });
    await waiting.waitForOutput(/approve with: driftless approve shop\/web --channel production --release 2/);
    const approved = await runCli(['approve', 'shop/web', '--channel', 'production', '--comment', 'looks good'], { url: server.url });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/^v2 in production:\n  runs there now: nothing yet \(this is the first release there\)\nv2 \(#2\) of shop\/web approved for production \(1 approval so far\)\./);
    const finished = await waiting.done;
    expect(finished.code, finished.stderr + finished.stdout).toBe(0);
    expect(finished.stdout).toMatch(/production: CONVERGED - running v2/);
    await waitForChannel(server, 'production', 'CONVERGED', 'v2');

    // JSON for scripts: the final picture per channel.
    const json = await runCli(['status', 'shop', '-o', 'json'], { url: server.url });
    expect(JSON.parse(json.stdout).releaseChannels[1].instances[0].convergedRelease.label).toBe('v2');
  });

  it('events --follow prints the history and then new events live, one JSON object per line, until Ctrl-C', async () => {
    await using server = await startTestServer({ engine: FAST });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig() })).applyConfig.userErrors).toEqual([]);
    const follow = startCli(['events', 'shop', '--follow', '--limit', '3', '-o', 'json'], { url: server.url });
    await follow.waitForOutput(/"SERVICE_CREATED"/);
    // The socket gives no acknowledgement: release until a live event shows up.
    for (const version of ['v1', 'v2', 'v3']) {
      const released = await runCli(['release', 'shop/web', '-p', `version=${version}`, '--wait', '--timeout', '30s'], { url: server.url });
      expect(released.code, released.stderr).toBe(0);
      if (/"INSTANCE_CONVERGED"/.test(follow.stdout())) break;
      await follow.waitForOutput(/"INSTANCE_CONVERGED"/, 3_000).catch(() => undefined);
      if (/"INSTANCE_CONVERGED"/.test(follow.stdout())) break;
    }
    follow.kill('SIGINT');
    const { code, stdout } = await follow.done;
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.some((e) => e.type === 'INSTANCE_CONVERGED' && /v\d converged in (staging|production)/.test(e.message))).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
