import { graphql } from '../graphql.js';

/** The application's delivery metrics over the last 30 days (docs/operations.md has the definitions). */
export const ApplicationDelivery = graphql(`
  query ApplicationDelivery($application: String!) {
    deliveryMetrics(application: $application, days: 30) {
      failedReleases
      caughtAutomatically
      caughtAutomaticallyShare
      leadTime {
        count
        p50Seconds
        p90Seconds
      }
      channels {
        channel
        last
        deployments
        deploymentsPerDay
        changeFailureRate
        releasesReached
        releasesFailed
        timeToRestore {
          count
          p50Seconds
        }
      }
    }
  }
`);
