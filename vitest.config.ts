import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under the 'source' condition.
    conditions: ['source'],
    // One copy of graphql: vite may otherwise load the ESM and CJS builds side by side
    // ("Cannot use GraphQLObjectType from another module or realm").
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  // Tests run server-side: the SSR resolver needs the condition too, or packages load from dist/.
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts', 'plugins/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Server suites spawn processes and bind ports; two at once is what a 2-core box can take.
    maxWorkers: 2,
    // Per file: no process or port left behind (test/run/leak-check.ts).
    setupFiles: ['test/setup.ts'],
    // The default summary, then what did not run and why (test/run/skip-report.ts).
    reporters: ['default', './test/run/skip-report.ts'],
    // Gives the run a directory for one shared Docker daemon; the first docker test starts it
    // (only when none runs already) and this stops it at the end. Other runs start nothing.
    globalSetup: ['test/helpers/dockerd-global.ts'],
  },
});
