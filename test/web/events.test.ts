import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { guardedPage, launchBrowser } from './helpers/browser.js';
import { instanceOf, release, signIn, startHelloServer, type HelloServer } from './helpers/dashboard.js';

let hello: HelloServer;
let browser: Browser;

beforeAll(async () => {
  hello = await startHelloServer();
  browser = await launchBrowser();
  await release(hello.server, 'v1');
  await waitFor(async () => (await instanceOf(hello.server, 'staging')).status === 'CONVERGED', 'staging on v1', 30_000);
});

afterAll(async () => {
  await browser?.close();
  await hello?.close();
});

describe('the events page', () => {
  it('filters by application, channel, type and actor (kept in the address), and new events arrive live', { timeout: 60_000 }, async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      await signIn(page, hello.server.url, ADMIN_TOKEN, '/events');
      const rows = page.locator('.events-table tbody tr');
      await rows.nth(3).waitFor();
      expect(await rows.count()).toBeGreaterThan(5);

      await page.getByLabel('Channel').selectOption('staging');
      await page.getByLabel('Type').selectOption({ label: 'instance converged' });
      await expect.poll(() => rows.allTextContents()).toEqual([expect.stringMatching(/hello\/staging\/web.*instance converged.*v1 converged in staging.*engine$/)]);
      expect(new URL(page.url()).search).toBe('?channel=staging&type=INSTANCE_CONVERGED');

      // A shared link shows the same view.
      await page.goto(`${hello.server.url}/events?type=RELEASE_CREATED&actor=token%3Aadmin`);
      await expect.poll(() => rows.allTextContents()).toEqual([expect.stringMatching(/release created.*release v1 of web created with version=v1.*token:admin$/)]);
      expect(await page.getByLabel('Actor').inputValue()).toBe('token:admin');

      // Live: the next release shows up at the top without a reload or a request.
      const calls = g.apiCalls.length;
      await release(hello.server, 'v2');
      await expect.poll(() => rows.first().textContent()).toMatch(/release v2 of web created with version=v2/);
      expect(await rows.count()).toBe(2);
      expect(g.apiCalls.slice(calls).filter((c) => c !== 'ReleaseList')).toEqual([]);

      await page.getByRole('link', { name: 'Clear filters' }).click();
      await expect.poll(() => rows.count()).toBeGreaterThan(5);
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
