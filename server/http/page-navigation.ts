import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request is a browser navigation asking for a page, as opposed to an API call.
 *
 * Only an explicit `text/html` in Accept counts: `*\/*` or no Accept header at all is what curl,
 * scripts and GraphQL clients send, and those must keep getting the API (and its 401 without a
 * token). Browsers send `text/html,...,*\/*;q=0.8` for a navigation and never list text/html for
 * fetch() or XHR unless told to. The pages hold no data either way: every datum comes from /graphql,
 * whose every request (GET included) needs a token.
 */
export function wantsHtmlPage(req: { method: string; headers: IncomingHttpHeaders }): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const accept = req.headers.accept;
  if (!accept) return false;
  const html = quality(accept, 'text/html');
  if (html <= 0) return false;
  // A client that ranks a GraphQL response above HTML wants the API, whatever else it accepts.
  return html >= quality(accept, 'application/json') && html >= quality(accept, 'application/graphql-response+json');
}

/**
 * The IDE page at /graphql: a navigation without a query string. `GET /graphql?query=...` is a
 * GraphQL request over GET and goes to the API, even from a browser's address bar.
 */
export function wantsIdePage(req: { method: string; url: string; headers: IncomingHttpHeaders }): boolean {
  return !req.url.includes('?') && wantsHtmlPage(req);
}

/** The q-value the Accept header gives one media type when it names it exactly; 0 otherwise. */
function quality(accept: string, type: string): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    if (range?.trim() !== type) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    if (Number.isFinite(value)) best = Math.max(best, value);
  }
  return best;
}
