import { graphql } from '../graphql.js';
import { InstanceSummary } from './fragments.js';

/** What the instance page shows beyond the summary; its own subscription keeps it current. */
export const InstanceDetailFields = graphql(
  `
    fragment InstanceDetailFields on ServiceInstance {
      ...InstanceSummary
      updatedAt
      observed
      desiredState {
        digest
        plugin
        runtime
        params
        spec
        env
      }
      desiredRelease {
        id
        params
        createdAt
        createdBy
      }
      targetRelease {
        id
        params
      }
      convergedRelease {
        id
        params
      }
    }
  `,
  [InstanceSummary],
);

export const InstanceDetail = graphql(
  `
    query InstanceDetail($id: ID!) {
      node(id: $id) {
        id
        ... on ServiceInstance {
          ...InstanceDetailFields
          service {
            id
            releases(first: 50) {
              nodes {
                id
                label
                number
                params
                createdAt
              }
            }
          }
        }
      }
    }
  `,
  [InstanceDetailFields],
);

export const InstanceDetailChanges = graphql(
  `
    subscription InstanceDetailChanges($application: String!) {
      serviceInstanceChanged(application: $application) {
        ...InstanceDetailFields
      }
    }
  `,
  [InstanceDetailFields],
);

export const ApproveRelease = graphql(`
  mutation ApproveRelease($release: ID!, $channel: String!, $comment: String) {
    approveRelease(input: { release: $release, channel: $channel, comment: $comment }) {
      release {
        id
        approvals {
          actor
          channel
          decision
          createdAt
        }
      }
      userErrors {
        code
        message
        path
      }
    }
  }
`);

export const RejectRelease = graphql(`
  mutation RejectRelease($release: ID!, $channel: String!, $comment: String) {
    rejectRelease(input: { release: $release, channel: $channel, comment: $comment }) {
      release {
        id
        approvals {
          actor
          channel
          decision
          createdAt
        }
      }
      userErrors {
        code
        message
        path
      }
    }
  }
`);

export const RollbackService = graphql(`
  mutation RollbackService($application: String!, $service: String!, $channel: String) {
    rollbackService(input: { application: $application, service: $service, channel: $channel }) {
      userErrors {
        code
        message
        path
      }
    }
  }
`);

export const PauseConvergence = graphql(`
  mutation PauseConvergence($application: String!, $channel: String, $service: String) {
    pauseConvergence(input: { application: $application, channel: $channel, service: $service }) {
      userErrors {
        code
        message
        path
      }
    }
  }
`);

export const ResumeConvergence = graphql(`
  mutation ResumeConvergence($application: String!, $channel: String, $service: String) {
    resumeConvergence(input: { application: $application, channel: $channel, service: $service }) {
      userErrors {
        code
        message
        path
      }
    }
  }
`);
