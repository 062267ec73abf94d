/**
 * The API token of this browser session: sessionStorage, so it lives as long as the tab and is
 * never sent anywhere but in the Authorization header (no cookie, so no CSRF). The GraphQL IDE
 * (/graphql) reads the same key: signing in to the dashboard signs the IDE in too.
 */
const KEY = 'driftless.token';

export const tokenStore = {
  get(): string | null {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null; // storage disabled: the user signs in on every load
    }
  },
  set(token: string): void {
    try {
      sessionStorage.setItem(KEY, token);
    } catch {
      // keep working for this page view
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  },
};

/** The GraphQL endpoints of the server that served this page (never another host). */
export function apiUrls(): { http: string; ws: string } {
  const ws = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  return { http: '/graphql', ws };
}
