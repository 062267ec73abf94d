import { AsyncLocalStorage } from 'node:async_hooks';

/** Who made the API request being served, for the events it records (audit: token name and id). */
export interface RequestScope {
  requestId?: string;
  viewer?: { tokenId: string; tokenName: string };
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
