import { describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { fakeConfig, release, waitForChannel } from '../helpers/fake-config.js';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { runCli } from './run-cli.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100 };

describe('driftless pin, unpin, bypass and a release of several services', () => {
  it('pins and unpins with words for people; releases two services as one; bypasses a gate with a reason', { timeout: 90_000 }, async () => {
    await using server = await startTestServer({ engine: FAST });
    try {
      const config = fakeConfig({ productionGates: '      - manualApproval: { minApprovers: 1 }', extraServices: ['api'] });
      expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
      await release(server, 'v1');
      await waitForChannel(server, 'staging', 'CONVERGED', 'v1');

      const pinned = await runCli(['pin', 'shop/web', '--channel', 'staging', '--reason', 'freeze for the audit'], { url: server.url });
      expect(pinned.code, pinned.stderr).toBe(0);
      expect(pinned.stdout).toBe('Pinned shop/web in staging at v1: newer releases wait there until: driftless unpin shop/web --channel staging\n');
      await release(server, 'v2');
      const held = await waitFor(async () => {
        const s = await runCli(['status', 'shop'], { url: server.url });
        return /staging\s+web\s+WAITING\s+v1 → v2\s+v2 waits: web is pinned in staging at v1 by token:admin: freeze for the audit/.test(s.stdout) ? s : undefined;
      }, 'status to show the pin');
      expect(held.code).toBe(0);
      expect((await runCli(['unpin', 'shop/web', '--channel', 'staging'], { url: server.url })).stdout).toBe('Unpinned shop/web in staging.\n');
      await waitForChannel(server, 'staging', 'CONVERGED', 'v2');

      const group = await runCli(['release', 'shop', '--param', 'web.version=v3', '--param', 'api.version=v7'], { url: server.url });
      expect(group.code, group.stderr).toBe(0);
      expect(group.stdout).toMatch(/^Created release (api v7 \+ web v3|web v3 \+ api v7) of shop: these services go through every channel together, in this order\./);
      const bad = await runCli(['release', 'shop', '--param', 'version=v3'], { url: server.url });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/releasing several services takes <service>\.<name>=value/);

      await waitForChannel(server, 'staging', 'CONVERGED', 'v3');
      const bypass = await runCli(['bypass', 'shop/web', '--channel', 'production', '--gate', 'manualApproval', '--reason', 'hotfix, approvers asleep'], { url: server.url });
      expect(bypass.code, bypass.stderr).toBe(0);
      expect(bypass.stdout).toBe('manualApproval no longer holds v3 of shop/web in production (bypassed by token:admin: hotfix, approvers asleep). Every other gate still does.\n');
      // The group moves together: web may go, api still waits for its own approval, so web waits for api.
      const waiting = await waitForChannel(server, 'production', 'WAITING', undefined, 15_000);
      expect(waiting.reasons.map((r) => r.code)).toContain('GROUP_WAITING');
    } finally {
      await control.reset();
    }
  });
});
