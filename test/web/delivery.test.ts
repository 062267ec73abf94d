import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { guardedPage, launchBrowser } from './helpers/browser.js';
import { instanceOf, release, signIn, startHelloServer, type HelloServer } from './helpers/dashboard.js';
import type { InPage } from './helpers/in-page.js';

let hello: HelloServer;
let browser: Browser;

beforeAll(async () => {
  hello = await startHelloServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await hello?.close();
});

async function answer(port: number): Promise<string> {
  return (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();
}

/** Every status the web row of a channel node shows, in order, from now on (a MutationObserver in the page). */
async function recordStatuses(page: Page, channel: string): Promise<() => Promise<string[]>> {
  const key = `__statuses_${channel}`;
  await page.evaluate(
    ({ channel, key }) => {
      const w = globalThis as unknown as InPage;
      const seen: string[] = [];
      (w.marks ??= {})[key] = seen;
      const note = () => {
        const s = w.document.querySelector(`[data-channel="${channel}"] [data-service="web"]`)?.getAttribute('data-status');
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      note();
      new w.MutationObserver(note).observe(w.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    },
    { channel, key },
  );
  return () => page.evaluate((key) => [...((globalThis as unknown as InPage).marks[key] as string[])], key);
}

describe('delivering hello through the dashboard', () => {
  it('a release walks staging then production live, and an approval from the instance page (showing its plan) converges production', { timeout: 120_000 }, async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      await signIn(page, hello.server.url, ADMIN_TOKEN);
      await page.getByRole('link', { name: 'hello', exact: true }).click();
      await page.locator('[data-channel="production"]').waitFor();
      // The page must not reload: this mark would be gone.
      await page.evaluate(() => (((globalThis as unknown as InPage).marks ??= {}).same = true));
      const staging = await recordStatuses(page, 'staging');
      const production = await recordStatuses(page, 'production');
      const callsBefore = g.apiCalls.length;

      await release(hello.server, 'v1');
      const stagingRow = page.locator('[data-channel="staging"] [data-service="web"]');
      await expect.poll(() => stagingRow.getAttribute('data-status'), { timeout: 30_000 }).toBe('CONVERGED');
      expect(await stagingRow.locator('.svc-release').textContent()).toBe('v1');
      expect(await answer(hello.stagingPort)).toBe('hello from v1 in staging');

      const productionRow = page.locator('[data-channel="production"] [data-service="web"]');
      await expect.poll(() => productionRow.textContent(), { timeout: 15_000 }).toContain('awaiting approval: 0 of 1 approvers');
      expect(await page.locator('[data-channel="production"] [data-gate="manualApproval"]').textContent()).toContain('0 of 1 approvals');
      // Live, not polled or reloaded: staging went through rolling out to converged on screen,
      // and the page asked the API for nothing while it happened.
      expect(await staging()).toEqual(expect.arrayContaining(['CONVERGING', 'CONVERGED']));
      expect((await staging()).indexOf('CONVERGING')).toBeLessThan((await staging()).lastIndexOf('CONVERGED'));
      expect(await production()).toContain('WAITING');
      expect(g.apiCalls.slice(callsBefore)).toEqual([]);
      expect(await page.evaluate(() => (globalThis as unknown as InPage).marks.same)).toBe(true);

      // Approve from the instance page, with the plan in view.
      await productionRow.getByRole('link', { name: 'web' }).click();
      await page.getByRole('heading', { level: 1, name: 'web in production' }).waitFor();
      const approval = page.locator('.approval');
      await approval.getByRole('heading', { name: 'Approve v1 for production' }).waitFor();
      expect(await approval.locator('[data-testid="plan"]').textContent()).toContain('First deploy of v1 here');
      expect(await approval.locator('tr[data-kind="added"]').textContent()).toBe('params.version—v1');
      await approval.getByLabel('Comment (optional)').fill('looks good in staging');
      await approval.getByRole('button', { name: 'Approve v1' }).click();
      await expect.poll(() => page.locator('.done').textContent()).toBe('Approved v1 for production.');
      await expect.poll(() => page.locator('h1 [data-status]').getAttribute('data-status'), { timeout: 30_000 }).toBe('CONVERGED');
      await expect.poll(() => page.locator('#why').textContent()).toMatch(/Converged on v1/);
      expect(await answer(hello.productionPort)).toBe('hello from v1 in production');
      expect(await answer(hello.productionPort + 1)).toBe('hello from v1 in production');
      // The timeline shows who approved, live.
      await expect.poll(() => page.locator('.timeline').textContent()).toMatch(/release approved.*by token:admin/);

      // The next release needs its own approval, and the plan shows what changes against v1.
      await release(hello.server, 'v2');
      await approval.getByRole('heading', { name: 'Approve v2 for production' }).waitFor({ timeout: 30_000 });
      expect(await approval.locator('[data-testid="plan"] .plan-head').textContent()).toBe('From v1 (running here) to v2');
      expect(await approval.locator('tr[data-kind="changed"]').textContent()).toBe('params.versionv1v2');
      await approval.getByRole('button', { name: 'Approve v2' }).click();
      await expect.poll(() => page.locator('#why').textContent(), { timeout: 30_000 }).toMatch(/Converged on v2/);
      expect(await answer(hello.productionPort)).toBe('hello from v2 in production');

      // The releases matrix tells the whole story.
      await page.getByRole('link', { name: 'hello' }).first().click();
      await page.getByRole('link', { name: 'Releases' }).click();
      const row = (label: string) => page.locator(`tr[data-release="web ${label}"]`);
      await expect.poll(() => row('v2').locator('td').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-kind')))).toEqual(['converged', 'converged']);
      expect(await row('v1').locator('td').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-kind')))).toEqual(['superseded', 'superseded']);
      expect(await row('v1').locator('td .rcell-detail').first().textContent()).toBe('replaced by v2');
      expect(await row('v2').locator('.release-kind').textContent()).toBe('version v1 → v2');

      // Delivery metrics on the pipeline page, from the server's own history: v1 and v2 reached
      // production (the last channel), neither failed.
      await page.getByRole('link', { name: 'Pipeline' }).click();
      const tile = (label: string) => page.locator(`[data-tile="${label}"]`);
      await expect.poll(() => tile('Deployments').locator('.tile-value').textContent(), { timeout: 15_000 }).toBe('2');
      expect(await tile('Deployments').locator('.tile-detail').textContent()).toMatch(/^to production, /);
      expect(await tile('Lead time').locator('.tile-value').textContent()).not.toBe('–');
      expect(await tile('Change failure rate').locator('.tile-value').textContent()).toBe('0 %');
      expect(await tile('Caught automatically').locator('.tile-detail').textContent()).toBe('no release failed');
      g.assertClean();
    } finally {
      await g.close();
    }
  });

  it('when the live connection drops, the page says so, and it catches up once the connection is back', { timeout: 90_000 }, async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      let down = false;
      const open: WebSocketRoute[] = [];
      await page.routeWebSocket(/\/graphql$/, (ws) => {
        if (down) return void ws.close({ code: 1013, reason: 'try again later' });
        ws.connectToServer();
        open.push(ws);
      });
      await signIn(page, hello.server.url, ADMIN_TOKEN, '/applications/hello');
      // Where the test before left hello: v2 everywhere.
      const stagingRelease = page.locator('[data-channel="staging"] [data-service="web"] .svc-release');
      await expect.poll(() => stagingRelease.textContent()).toBe('v2');
      await expect.poll(() => page.locator('.live').textContent()).toBe('Live');

      down = true;
      for (const ws of open.splice(0)) await ws.close({ code: 1012, reason: 'service restart' });
      await expect.poll(() => page.locator('.live').textContent()).toBe('Connecting…');
      await release(hello.server, 'v3');
      await waitFor(async () => (await instanceOf(hello.server, 'staging')).convergedRelease?.label === 'v3', 'staging on v3', 30_000);
      // Missed while disconnected.
      expect(await stagingRelease.textContent()).toBe('v2');

      const calls = g.apiCalls.length;
      down = false;
      await expect.poll(() => page.locator('.live').textContent(), { timeout: 30_000 }).toBe('Live');
      await expect.poll(() => stagingRelease.textContent()).toBe('v3');
      // Healed by reading the application again once, not by the subscription replaying anything.
      expect(g.apiCalls.slice(calls)).toContain('ApplicationPipeline');
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
