import { graphql } from '../graphql.js';
import { InstanceSummary } from './fragments.js';

/** Names only: each application card then loads (and watches) its own application. */
export const ApplicationNames = graphql(`
  query ApplicationNames {
    applications(first: 100) {
      totalCount
      nodes {
        id
        name
      }
    }
  }
`);

/** One application with its channels, gates and every instance: the overview card and the pipeline page share it. */
export const ApplicationPipeline = graphql(
  `
    query ApplicationPipeline($name: String!) {
      application(name: $name) {
        id
        name
        paused
        releaseChannels {
          id
          name
          position
          dependsOn
          paused
          runtime {
            id
            name
            plugin
          }
          gates {
            type
            summary
            settings
          }
          instances {
            ...InstanceSummary
          }
        }
      }
    }
  `,
  [InstanceSummary],
);
