import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { seriousViolations } from './helpers/a11y.js';
import { guardedPage, launchBrowser } from './helpers/browser.js';
import { instanceOf, release, signIn, startHelloServer, type HelloServer } from './helpers/dashboard.js';
import { screenshot } from './helpers/screenshots.js';
import type { InPage } from './helpers/in-page.js';

let hello: HelloServer;
let browser: Browser;

const awaiting = async (label: string) =>
  waitFor(async () => {
    const i = await instanceOf(hello.server, 'production');
    return i.desiredRelease?.label === label && i.reasons.some((r: { code: string }) => r.code === 'AWAITING_APPROVAL') ? i : undefined;
  }, `production to wait for approval of ${label}`, 30_000);

beforeAll(async () => {
  hello = await startHelloServer();
  browser = await launchBrowser();
  // A little history: v1 everywhere, v2 in staging and waiting for approval in production.
  const v1 = await release(hello.server, 'v1');
  await awaiting('v1');
  await hello.server.data(`mutation($r: ID!) { approveRelease(input: { release: $r, channel: "production", comment: "ship it" }) { userErrors { message } } }`, { r: v1 });
  await waitFor(async () => (await instanceOf(hello.server, 'production')).status === 'CONVERGED', 'production on v1', 30_000);
  await release(hello.server, 'v2');
  await awaiting('v2');
});

afterAll(async () => {
  await browser?.close();
  await hello?.close();
});

/** Each page, with what shows it has loaded. */
const PAGES: { name: string; path: string; ready: (page: Page) => Promise<unknown> }[] = [
  { name: 'applications', path: '/', ready: (p) => p.locator('.app-card .pipeline').waitFor() },
  { name: 'application', path: '/applications/hello', ready: (p) => p.locator('[data-channel="production"] li[data-service="web"][data-status="WAITING"]').waitFor() },
  { name: 'releases', path: '/applications/hello/releases', ready: (p) => p.locator('tr[data-release="web v1"] td[data-kind="superseded"]').first().waitFor() },
  { name: 'instance', path: '/applications/hello/channels/production/services/web', ready: (p) => p.locator('.timeline li').first().waitFor() },
  { name: 'events', path: '/events', ready: (p) => p.locator('.events-table tbody tr').nth(5).waitFor() },
  { name: 'runtimes', path: '/runtimes', ready: (p) => p.locator('[data-plugin="process"]').waitFor() },
];

describe.each(['light', 'dark'] as const)('every page in the %s scheme', (scheme) => {
  it('has no serious or critical accessibility violation, loads nothing from elsewhere, logs no error; screenshots for the README', { timeout: 120_000 }, async () => {
    const g = await guardedPage(browser, hello.server.url, { colorScheme: scheme });
    try {
      const { page } = g;
      await page.goto(hello.server.url);
      await page.getByLabel('API token').waitFor();
      expect({ page: 'sign-in', violations: await seriousViolations(page) }).toEqual({ page: 'sign-in', violations: [] });
      await screenshot(page, 'sign-in', scheme);
      await signIn(page, hello.server.url, ADMIN_TOKEN);

      for (const { name, path, ready } of PAGES) {
        await page.goto(`${hello.server.url}${path}`);
        await ready(page);
        expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
        await screenshot(page, name, scheme);
      }

      // GraphiQL, signed in with the dashboard's token, runs a query offline.
      const schemaLoaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/graphql' && !!r.request().postData()?.includes('IntrospectionQuery'));
      await page.goto(`${hello.server.url}/graphql`);
      await page.getByText('admin · admin').waitFor();
      await schemaLoaded;
      await expect.poll(() => page.locator('.graphiql-query-editor').textContent()).toMatch(/query\sApplications/);
      await page.getByRole('button', { name: /Execute query/ }).click();
      // Monaco renders spaces as no-break spaces: \s matches both.
      await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 30_000 }).toMatch(/"name":\s"hello"/);
      // GraphiQL's tab strip puts its buttons inside role="tab" items (its markup, not ours).
      expect({ page: 'graphiql', violations: await seriousViolations(page, ['.graphiql-tabs']) }).toEqual({ page: 'graphiql', violations: [] });
      await screenshot(page, 'graphiql', scheme);
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});

/** Presses Tab until the focused element is the one wanted; fails after `max` presses. */
async function tabTo(page: Page, role: string, name: string | RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = (globalThis as unknown as InPage).document.activeElement;
      return el ? { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() } : null;
    });
    const isRole = focused && (focused.role === role || (role === 'link' && focused.tag === 'a') || (role === 'button' && focused.tag === 'button'));
    if (isRole && (typeof name === 'string' ? focused.text === name : name.test(focused.text))) return;
  }
  throw new Error(`no ${role} "${String(name)}" reached with ${max} presses of Tab`);
}

describe('from the keyboard alone', () => {
  it('sign in, open the application, open production, approve v2 and see it converge', { timeout: 120_000 }, async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      await page.goto(hello.server.url);
      // The token field has focus on arrival.
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.getAttribute('name'))).toBe('token');
      await page.keyboard.type(ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
      await page.locator('.app-card .pipeline').waitFor();

      // Signing in puts the focus on the page's heading; a fresh load starts at the skip link.
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent)).toBe('Applications');
      await page.reload();
      await page.locator('.app-card .pipeline').waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent)).toBe('Skip to content');
      await tabTo(page, 'link', 'hello');
      await page.keyboard.press('Enter');
      await page.locator('[data-channel="production"]').waitFor();
      // Focus moved to the new page's heading.
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.tagName)).toBe('H1');

      await tabTo(page, 'link', 'web'); // staging's web
      await tabTo(page, 'link', 'web'); // production's web
      expect(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.closest('[data-channel]')?.getAttribute('data-channel'))).toBe('production');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'web in production' }).waitFor();
      await page.locator('.approval').waitFor();

      await tabTo(page, 'button', 'Approve v2');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.done').textContent()).toBe('Approved v2 for production.');
      await expect.poll(() => page.locator('#why').textContent(), { timeout: 30_000 }).toMatch(/Converged on v2/);
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
