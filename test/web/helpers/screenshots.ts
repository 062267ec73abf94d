import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/**
 * Screenshots for the README, taken by the tests from the real pages so they never go stale.
 * Spinners stand still: the browser context asks for reduced motion.
 */
export async function screenshot(page: Page, name: string, scheme: 'light' | 'dark'): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  await page.screenshot({ path: `${DIR}${name}-${scheme}.png`, fullPage: true });
}
