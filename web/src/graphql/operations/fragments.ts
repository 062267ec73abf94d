import { graphql } from '../graphql.js';

export const ReleaseRef = graphql(`
  fragment ReleaseRef on Release {
    id
    label
  }
`);

/**
 * Everything a page shows about an instance at a glance, and no more: the application page loads
 * it for every instance (500 of them in the benchmark), so each field costs. The live subscription selects exactly
 * this, so each change lands in the normalised cache and every page showing the instance updates.
 */
export const InstanceSummary = graphql(
  `
    fragment InstanceSummary on ServiceInstance {
      id
      status
      statusSince
      paused
      convergedAt
      reasons {
        code
        message
        since
      }
      service {
        id
        name
      }
      desiredRelease {
        ...ReleaseRef
        approvals {
          actor
          channel
          decision
          createdAt
        }
      }
      targetRelease {
        ...ReleaseRef
      }
      convergedRelease {
        ...ReleaseRef
      }
    }
  `,
  [ReleaseRef],
);

export const InstanceChanges = graphql(
  `
    subscription InstanceChanges($application: String!) {
      serviceInstanceChanged(application: $application) {
        ...InstanceSummary
      }
    }
  `,
  [InstanceSummary],
);

export const EventFields = graphql(`
  fragment EventFields on Event {
    id
    type
    subject
    actor
    message
    at
    data
  }
`);

export const LiveEvents = graphql(
  `
    subscription LiveEvents($application: String!) {
      convergenceEvents(application: $application) {
        ...EventFields
      }
    }
  `,
  [EventFields],
);
