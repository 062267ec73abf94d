import { graphql } from '../graphql.js';

export const ReleaseRef = graphql(`
  fragment ReleaseRef on Release {
    id
    label
    number
  }
`);

/**
 * Everything a page shows about an instance at a glance. The live subscription selects exactly
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
      channel {
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
