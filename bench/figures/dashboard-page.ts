/**
 * The browser side of the dashboard figures: Chromium with the dashboard signed in (the token in
 * sessionStorage before any script runs), and probes the page runs itself so that timings are
 * taken in the page, on its own clock, not across the Playwright connection.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { InPage } from '../../test/web/helpers/in-page.js';
import { ADMIN_TOKEN } from '../lib/seed.js';

export { launchBrowser } from '../../test/web/helpers/browser.js';
export { ensureWebBuilt } from '../../test/web/helpers/web-build.js';

interface Probe {
  /** ms since navigation start: all cells and channel nodes in the DOM; the next frame; the main thread free after it. */
  ready?: { content: number; painted: number; idle: number };
  /** Every status a grid cell showed, with the epoch time (ms, sub-ms) of the frame that showed it. */
  statuses: { key: string; status: string; at: number }[];
}

type ProbePage = InPage & { probe: Probe };

/**
 * Runs in the page before its scripts: watches the DOM for the whole application to be on screen
 * (then a frame, then the main thread free), and afterwards for every status a grid cell shows.
 * Plain JavaScript in a string: the bench runs under tsx, whose transpiled functions call a helper
 * (`__name`) that does not exist in the page.
 */
const PROBE = `
(({ token, cells, channels }) => {
  sessionStorage.setItem('driftless.token', token);
  const probe = { statuses: [] };
  window.probe = probe;
  let pending = false;
  const last = new Map();
  new MutationObserver(() => {
    const tds = document.querySelectorAll('td[data-instance]');
    if (!pending && tds.length >= cells && document.querySelectorAll('section[data-channel]').length >= channels) {
      pending = true;
      const content = performance.now();
      requestAnimationFrame(() => {
        const painted = performance.now();
        // A message posted now runs once the main thread has nothing left to do for this frame.
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { probe.ready = { content, painted, idle: performance.now() }; };
        ch.port2.postMessage(0);
      });
    }
    if (!probe.ready) return;
    const changed = [];
    for (const td of tds) {
      const key = td.getAttribute('data-instance');
      const status = td.getAttribute('data-status');
      if (last.get(key) !== status) {
        if (last.has(key)) changed.push({ key, status });
        last.set(key, status);
      }
    }
    // The frame that shows the change is the one after this DOM update.
    if (changed.length) requestAnimationFrame(() => { const at = performance.timeOrigin + performance.now(); for (const c of changed) probe.statuses.push({ ...c, at }); });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
})`;

/** A fresh context (cold HTTP cache, empty storage) signed in with the bench's admin token. */
export async function dashboardContext(browser: Browser, expect: { cells: number; channels: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, reducedMotion: 'reduce' });
  await context.addInitScript({ content: `${PROBE}(${JSON.stringify({ token: ADMIN_TOKEN, ...expect })});` });
  return { context, page: await context.newPage() };
}

export interface Ready {
  content: number;
  painted: number;
  idle: number;
  /** The page's largest /graphql response (the application): request start and response end. */
  query: { start: number; end: number };
}

export async function readyTimes(page: Page, timeoutMs: number): Promise<Ready> {
  await page.waitForFunction(() => !!(globalThis as unknown as ProbePage).probe.ready, undefined, { timeout: timeoutMs, polling: 50 });
  return page.evaluate(`(() => {
    const q = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/graphql').sort((a, b) => b.transferSize - a.transferSize)[0];
    return { ...window.probe.ready, query: { start: q.requestStart, end: q.responseEnd } };
  })()`);
}

/** When the page first showed `status` for the cell `key` after `after` (epoch ms), or undefined. */
export async function shownAt(page: Page, key: string, status: string, after: number): Promise<number | undefined> {
  return page.evaluate(({ key, status, after }) => (globalThis as unknown as ProbePage).probe.statuses.find((s) => s.key === key && s.status === status && s.at >= after)?.at, { key, status, after });
}
