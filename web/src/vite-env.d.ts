/// <reference types="vite/client" />

declare module 'virtual:schema-introspection' {
  import type { CacheExchangeOpts } from '@urql/exchange-graphcache';
  const introspection: NonNullable<CacheExchangeOpts['schema']>;
  export default introspection;
}
