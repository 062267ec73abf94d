import { graphql } from '../graphql.js';

export const RuntimesAndPlugins = graphql(`
  query RuntimesAndPlugins {
    runtimes {
      id
      name
      plugin
      config
      labels
      usedBy
      updatedAt
    }
    runtimePlugins {
      name
      packageName
      version
      status
      reason
    }
  }
`);
