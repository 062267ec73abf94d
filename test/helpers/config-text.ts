import { readFileSync } from 'node:fs';

export const HELLO_CONFIG = readFileSync(new URL('../../examples/hello/driftless.yaml', import.meta.url), 'utf8');

export const APPLY_CONFIG = /* GraphQL */ `
  mutation Apply($documents: String!) {
    applyConfig(input: { documents: $documents }) {
      created { kind name application action object { id } }
      updated { kind name application action object { id } }
      unchanged { kind name application action object { id } }
      userErrors { code message path line }
    }
  }
`;

export const CREATE_RELEASE = /* GraphQL */ `
  mutation Release($application: String!, $service: String!, $params: JSONObject!) {
    createRelease(input: { application: $application, service: $service, params: $params }) {
      release { id number label params instances { status channel { name } desiredState { spec env digest } } }
      userErrors { code message path }
    }
  }
`;
