import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { HELLO_CONFIG } from '../helpers/config-text.js';
import { waitFor } from '../helpers/wait.js';
import { guardedPage, launchBrowser } from './helpers/browser.js';
import { createToken, instanceOf, release, signIn, startHelloServer, type HelloServer } from './helpers/dashboard.js';

// A second application on the same runtime, never released (so nothing of it runs).
const OTHER_APP = `---
kind: Application
name: other
releaseChannels:
  - { name: dev, runtime: local }
---
kind: Service
name: api
application: other
parameters: [{ name: version, required: true }]
spec: { command: node, args: [x.js] }
`;

const ACTION = /approve|reject|roll back|pause|resume|bypass/i;

let hello: HelloServer;
let browser: Browser;

beforeAll(async () => {
  hello = await startHelloServer({ config: HELLO_CONFIG + OTHER_APP });
  browser = await launchBrowser();
  await release(hello.server, 'v1');
  await waitFor(async () => (await instanceOf(hello.server, 'production')).reasons.some((r: { code: string }) => r.code === 'AWAITING_APPROVAL'), 'production to wait for approval', 30_000);
});

afterAll(async () => {
  await browser?.close();
  await hello?.close();
});

async function buttons(page: Page): Promise<string[]> {
  return (await page.getByRole('button').allTextContents()).map((t) => t.trim());
}

const PAGES = ['/', '/applications/hello', '/applications/hello/releases', '/applications/hello/channels/production/services/web', '/applications/hello/channels/staging/services/web', '/events', '/runtimes'];

describe('what a token may see and do', () => {
  it('a viewer sees every page and no action on any of them', async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      const viewer = await createToken(hello.server, 'auditor', 'viewer');
      await signIn(page, hello.server.url, viewer.secret);
      for (const path of PAGES) {
        await page.goto(`${hello.server.url}${path}`);
        await page.locator('main h1').waitFor();
        await page.locator('[role="status"]', { hasText: /^Loading/ }).waitFor({ state: 'detached' });
        if (path.includes('/channels/')) await page.locator('#why').waitFor();
        expect({ path, actions: (await buttons(page)).filter((b) => ACTION.test(b)) }).toEqual({ path, actions: [] });
      }
      // The last page (runtimes) subscribes to nothing, and the live connection is up anyway.
      await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
      // The production instance waits for an approval the viewer cannot give: no Actions section at all.
      await page.goto(`${hello.server.url}/applications/hello/channels/production/services/web`);
      await page.locator('#why [data-code="AWAITING_APPROVAL"]').waitFor();
      expect(await page.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
      expect(await buttons(page)).toEqual(['Sign out']);
      g.assertClean();
    } finally {
      await g.close();
    }
  });

  it('a token limited to one application sees only that one, everywhere', async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      const scoped = await createToken(hello.server, 'hello-team', 'viewer', ['hello']);
      await signIn(page, hello.server.url, scoped.secret);
      await page.getByRole('heading', { level: 2, name: 'hello' }).waitFor();
      expect(await page.locator('.app-card h2').allTextContents()).toEqual(['hello']);
      expect(await page.locator('.who').textContent()).toBe('hello-team · viewer · hello');

      await page.goto(`${hello.server.url}/applications/other`);
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('There is no application “other”, or this token may not see it.');

      await page.goto(`${hello.server.url}/events`);
      await page.locator('.events-table tbody tr').first().waitFor();
      expect(await page.getByLabel('Application').locator('option').allTextContents()).toEqual(['any', 'hello']);
      expect(await page.locator('.events-table').textContent()).not.toContain('other');

      await page.goto(`${hello.server.url}/runtimes`);
      await page.getByRole('heading', { name: /^local/ }).waitFor();
      expect(await page.locator('.runtime dd').first().textContent()).toBe('hello/production, hello/staging');
      g.assertClean();
    } finally {
      await g.close();
    }
  });

  it('a deployer gets the actions, and a stale one is refused inline in the API’s words', async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      // Holds back what the server pushes over the live socket while `frozen`: this page then
      // shows an approval for a release someone else has already replaced.
      let frozen = false;
      await page.routeWebSocket(/\/graphql$/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((message) => {
          if (!frozen || !String(message).includes('"type":"next"')) ws.send(message);
        });
      });
      const deployer = await createToken(hello.server, 'release-bot', 'deployer');
      await signIn(page, hello.server.url, deployer.secret, '/applications/hello/channels/production/services/web');
      const approval = page.locator('.approval');
      await approval.getByRole('heading', { name: 'Approve v1 for production' }).waitFor();
      expect((await buttons(page)).filter((b) => ACTION.test(b))).toEqual(['Approve v1', 'Reject v1', 'Pause']);

      frozen = true;
      await release(hello.server, 'v2');
      await waitFor(async () => (await instanceOf(hello.server, 'production')).desiredRelease?.label === 'v2', 'v2 to be desired in production');
      await approval.getByRole('button', { name: 'Approve v1' }).click();
      await expect.poll(() => approval.getByRole('alert').textContent()).toBe('release v1 is no longer the desired release in production (v2 is) (INVALID_INPUT)');
      frozen = false;
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
