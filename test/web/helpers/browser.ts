import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** STACK.md: Debian's Chromium; without the background-networking flags it calls Google at start. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.DRIFTLESS_CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
}

export interface GuardedPage {
  page: Page;
  context: BrowserContext;
  /** Requests that went (or tried to go) to another host. */
  foreign: string[];
  consoleErrors: string[];
  /** Every POST to /graphql the page made, by operation name, in order. */
  apiCalls: string[];
  /** Throws if the page talked to another host or logged an error (other than `expected` ones). */
  assertClean(expected?: RegExp[]): void;
  close(): Promise<void>;
}

/**
 * A page in its own browser context (its own sessionStorage) that refuses every request to a host
 * other than the server and records console errors, so each test can fail on either.
 */
export async function guardedPage(browser: Browser, serverUrl: string, options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<GuardedPage> {
  const origin = new URL(serverUrl);
  const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light', viewport: options.viewport ?? { width: 1400, height: 900 }, reducedMotion: 'reduce', locale: 'en-GB', timezoneId: 'UTC' });
  const foreign: string[] = [];
  const consoleErrors: string[] = [];
  const apiCalls: string[] = [];
  const ours = (url: string) => {
    try {
      const u = new URL(url);
      return u.host === origin.host || u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:';
    } catch {
      return false;
    }
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (ours(url)) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => {
    if (!ours(ws.url().replace(/^ws/, 'http'))) foreign.push(ws.url());
  });
  page.on('console', (msg) => {
    if (msg.type() === "error") consoleErrors.push(`${msg.text().slice(0, 300)} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/graphql') {
      try {
        apiCalls.push(String((req.postDataJSON() as { operationName?: string }).operationName ?? 'anonymous'));
      } catch {
        apiCalls.push('unreadable');
      }
    }
  });
  return {
    page,
    context,
    foreign,
    consoleErrors,
    apiCalls,
    assertClean(expected = []) {
      const unexpected = consoleErrors.filter((e) => !expected.some((re) => re.test(e)));
      if (foreign.length) throw new Error(`the page requested other hosts: ${foreign.join(', ')}`);
      if (unexpected.length) throw new Error(`console errors:\n${unexpected.join('\n')}`);
    },
    close: () => context.close(),
  };
}
