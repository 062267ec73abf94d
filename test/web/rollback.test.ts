import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { HELLO_CONFIG } from '../helpers/config-text.js';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { guardedPage, launchBrowser } from './helpers/browser.js';
import { instanceOf, release, signIn, startHelloServer, type HelloServer } from './helpers/dashboard.js';
import type { InPageElement } from './helpers/in-page.js';

// The hello example with an app whose "crash" releases die on start (test/web/fixtures/crashy).
const CRASHY = HELLO_CONFIG.replace('cwd: examples/hello/app', 'cwd: test/web/fixtures/crashy').replace('timeoutSeconds: 5', 'timeoutSeconds: 2');

let hello: HelloServer;
let browser: Browser;

beforeAll(async () => {
  hello = await startHelloServer({ config: CRASHY, engine: { maxAttempts: 2 } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await hello?.close();
});

const kinds = (cells: InPageElement[]) => cells.map((td) => td.getAttribute('data-kind'));

describe('a release that crashes', () => {
  // Today a release that dies on start fails its applies and rolls back. With the delivery-safety
  // API (CRASH_LOOP after verification, DEGRADED) this test grows a "crash-loop" release: see the report.
  it('fails in staging, rolls back to the release before, is marked bad, never reaches production — all on screen as it happens', { timeout: 120_000 }, async () => {
    const v1 = await release(hello.server, 'v1');
    await waitFor(async () => (await instanceOf(hello.server, 'production')).reasons.some((r: { code: string }) => r.code === 'AWAITING_APPROVAL'), 'production to wait for approval', 30_000);
    await hello.server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production" }) { userErrors { message } } }`, { r: v1 });
    await waitFor(async () => (await instanceOf(hello.server, 'production')).status === 'CONVERGED', 'production on v1', 30_000);

    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      await signIn(page, hello.server.url, ADMIN_TOKEN, '/applications/hello/releases');
      const row = (label: string) => page.locator(`tr[data-release="web ${label}"] td`);
      await expect.poll(() => row('v1').evaluateAll(kinds)).toEqual(['converged', 'converged']);
      const callsBefore = g.apiCalls.length;

      await release(hello.server, 'v2-crash');
      await expect.poll(() => row('v2-crash').evaluateAll(kinds), { timeout: 60_000 }).toEqual(['marked-bad', 'blocked']);
      const [staging, production] = [row('v2-crash').nth(0), row('v2-crash').nth(1)];
      expect(await staging.locator('.rcell-kind').textContent()).toBe('Rolled back, marked bad');
      expect(await staging.locator('.rcell-detail').textContent()).toMatch(/^v2-crash failed here .*missing configuration.*, was rolled back to v1 and marked bad/);
      expect(await production.locator('.rcell-kind').textContent()).toBe('Will not start');
      expect(await production.locator('.rcell-detail').textContent()).toBe('v2-crash was marked bad in staging; it will not be promoted to production');
      // v1 is what runs in both; staging is held there by the rollback.
      await expect.poll(() => row('v1').evaluateAll(kinds)).toEqual(['pinned', 'running']);
      // Live: the only request was the release list, reloaded once when the release-created event came.
      expect(g.apiCalls.slice(callsBefore)).toEqual(['ReleaseList']);
      expect(await (await fetch(`http://127.0.0.1:${hello.stagingPort}/`)).text()).toBe('hello from v1 in staging\n');

      // The instance page says why, in words, with the story in its timeline.
      await row('v2-crash').first().getByRole('link').click();
      await page.getByRole('heading', { level: 1, name: 'web in staging' }).waitFor();
      expect(await page.locator('h1 [data-status]').getAttribute('data-status')).toBe('ROLLED_BACK');
      expect(await page.locator('#why [data-code="RELEASE_MARKED_BAD"]').textContent()).toMatch(/v2-crash failed here.*missing configuration.*rolled back to v1/);
      const timeline = await page.locator('.timeline').textContent();
      for (const what of ['release failed', 'rollback started', 'instance rolled back']) expect(timeline).toContain(what);
      expect(timeline).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
