import { describe, expect, it } from 'vitest';
import { wantsHtmlPage, wantsIdePage } from '../../server/http/page-navigation.js';
import { ADMIN_TOKEN, startTestServer } from '../helpers/server.js';
import { ensureWebBuilt } from './helpers/web-build.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

describe('which requests get a page', () => {
  const get = (accept?: string, url = '/graphql') => ({ method: 'GET', url, headers: accept === undefined ? {} : { accept } });
  it.each([
    ['a browser navigation', BROWSER_ACCEPT, '/graphql', true],
    ['curl (*/*)', '*/*', '/graphql', false],
    ['no Accept header', undefined, '/graphql', false],
    ['a GraphQL client', 'application/graphql-response+json, application/json;q=0.9', '/graphql', false],
    ['JSON first, HTML second', 'application/json, text/html;q=0.5', '/graphql', false],
    ['HTML refused with q=0', 'text/html;q=0, */*', '/graphql', false],
    ['a GraphQL GET from the address bar', BROWSER_ACCEPT, '/graphql?query=%7Bviewer%7Brole%7D%7D', false],
  ])('%s', (_what, accept, url, ide) => {
    expect(wantsIdePage(get(accept, url))).toBe(ide);
  });
  it('a POST is never a page', () => {
    expect(wantsHtmlPage({ method: 'POST', headers: { accept: BROWSER_ACCEPT } })).toBe(false);
  });
});

describe('the server serves the dashboard and the IDE without data, and the API only with a token', () => {
  it('pages and assets are public, contain no data, and load nothing from elsewhere; every API request needs a token', async () => {
    await ensureWebBuilt();
    await using server = await startTestServer({ engine: { enabled: false } });
    const url = server.url;

    const page = await fetch(`${url}/applications/hello`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    // Nothing but our own files: no CDN, no font host.
    expect(html.match(/(?:src|href)="[^"]+"/g)!.every((ref) => /="\/(assets\/|favicon\.svg)/.test(ref))).toBe(true);

    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);

    const ide = await fetch(`${url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(ide.status).toBe(200);
    const ideHtml = await ide.text();
    expect(ideHtml).toContain('GraphQL IDE');
    expect(ideHtml).not.toMatch(/apollographql|embeddable-sandbox|cdn\./i);

    // The API: GET and POST without a token are refused, whatever they accept.
    for (const accept of [undefined, '*/*', 'application/json']) {
      const res = await fetch(`${url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: accept ? { accept } : {} });
      expect({ accept, status: res.status }).toEqual({ accept, status: 401 });
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const bare = await fetch(`${url}/graphql`, { headers: { accept: '*/*' } });
    expect(bare.status).toBe(401);
    const fromAddressBar = await fetch(`${url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(fromAddressBar.status).toBe(401);
    const post = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: BROWSER_ACCEPT }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(post.status).toBe(401);

    // With a token, the same API answers as before.
    const ok = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(await ok.json()).toEqual({ data: { viewer: { role: 'admin' } } });

    // Not a navigation: the JSON 404 that scripts got before.
    const notFound = await fetch(`${url}/nope`, { headers: { accept: '*/*' } });
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
