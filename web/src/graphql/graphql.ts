import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * `graphql()` types every operation from schema/schema.graphql (graphql-env.d.ts is generated from
 * it by `npm run build:web`), so a field the API does not have is a type error, not a blank cell.
 * Fragments are unmasked: components read what their fragment selects, without readFragment().
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: {
    DateTimeISO: string;
    JSON: unknown;
    JSONObject: Record<string, unknown>;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
