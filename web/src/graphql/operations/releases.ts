import { graphql } from '../graphql.js';
import { EventFields } from './fragments.js';

export const ReleaseList = graphql(`
  query ReleaseList($name: String!, $first: Int!) {
    application(name: $name) {
      id
      releases(first: $first) {
        totalCount
        nodes {
          id
          label
          number
          params
          createdAt
          createdBy
          service {
            id
            name
          }
        }
      }
    }
  }
`);

export const ApplicationEvents = graphql(
  `
    query ApplicationEvents($application: String, $first: Int!) {
      events(application: $application, first: $first) {
        totalCount
        nodes {
          ...EventFields
        }
      }
    }
  `,
  [EventFields],
);
