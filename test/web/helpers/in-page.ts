/**
 * The browser globals the tests touch inside `page.evaluate` callbacks, typed by hand: the root
 * tsconfig has no DOM library on purpose (server code must not see `window`), and the callbacks
 * run in the page, where these exist. Use as `(globalThis as unknown as InPage).document`.
 */
export interface InPageElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  closest(selector: string): InPageElement | null;
}

export interface InPage {
  document: { activeElement: InPageElement | null; querySelector(selector: string): InPageElement | null; body: unknown };
  sessionStorage: { getItem(key: string): string | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, unknown>): void };
  marks: Record<string, unknown>;
}
