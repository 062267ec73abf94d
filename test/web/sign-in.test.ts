import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { guardedPage, launchBrowser } from './helpers/browser.js';
import { createToken, signIn, startHelloServer, type HelloServer } from './helpers/dashboard.js';
import type { InPage } from './helpers/in-page.js';

// A refused token is a 401 from /graphql, which Chromium logs as a failed resource: expected here.
const REFUSED = [/status of 401/];

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

describe('signing in to the dashboard', () => {
  it('a bad token gets the server’s reason; a good one signs in for the tab’s session; signing out forgets it', async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      await page.goto(hello.server.url);
      await expect.poll(() => page.title()).toBe('Sign in · Driftless');
      await page.getByLabel('API token').fill('dl_not_a_real_token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('The server refused this token: invalid token.');
      expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');

      const deployer = await createToken(hello.server, 'release-bot', 'deployer');
      await page.getByLabel('API token').fill(deployer.secret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
      expect(await page.locator('.who').textContent()).toBe('release-bot · deployer');
      await page.getByRole('heading', { level: 2, name: 'hello' }).waitFor();

      // Kept for the session: a reload stays signed in, without asking again.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.getItem('driftless.token'))).toBe(deployer.secret);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/^Signed out/);
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.getItem('driftless.token'))).toBeNull();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to Driftless' }).waitFor();
      g.assertClean(REFUSED);
    } finally {
      await g.close();
    }
  });

  it('a token revoked while signed in ends the session with the server’s reason', async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      const token = await createToken(hello.server, 'laptop', 'viewer');
      await signIn(page, hello.server.url, token.secret);
      await page.getByRole('heading', { level: 2, name: 'hello' }).waitFor();
      const revoked = await hello.server.data(`mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { message } } }`, { id: token.id });
      expect(revoked.revokeApiToken.userErrors).toEqual([]);
      // The server closes the token's live socket at once (4401): the session ends without
      // waiting for the next request (issue 10 point 2).
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('The server refused this token: token "laptop" was revoked. Sign in again.');
      await page.getByRole('heading', { name: 'Sign in to Driftless' }).waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.getItem('driftless.token'))).toBeNull();
      g.assertClean(REFUSED);
    } finally {
      await g.close();
    }
  });

  it('a link opened while signed out lands on its page after signing in', async () => {
    const g = await guardedPage(browser, hello.server.url);
    try {
      const { page } = g;
      await page.goto(`${hello.server.url}/applications/hello/releases`);
      await page.getByLabel('API token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Releases by channel' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/applications/hello/releases');
      expect(await page.title()).toBe('hello releases · Driftless');
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
