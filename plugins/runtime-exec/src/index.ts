import { definePluginRuntime } from '@driftless/plugin-sdk';
import { applyTarget } from './apply.js';
import { deleteInstance } from './delete.js';
import { fetchState } from './fetch.js';
import { configSchema, specIssues, specSchema, type ExecConfig } from './schema.js';

export { CONVERGED_EXIT, NEEDS_APPLY_EXIT } from './fetch.js';
export type { ExecConfig, ExecSpec } from './schema.js';

/**
 * Runtime extensions: `fetch` and `apply` are the user's own commands (Terraform, kubectl,
 * in-house scripts). The plugin runs them with the instance's context, under time limits, and
 * turns their exit codes and output into observed state, typed errors and event messages.
 */
export default definePluginRuntime<ExecConfig>({
  name: 'exec',
  version: '0.1.0',
  apiVersion: 1,
  description: "Runs your own fetch/apply commands (exit-code or structured fetch), with the instance's context in env vars and a JSON file.",
  configSchema,
  specSchema,
  fetch: fetchState,
  apply: applyTarget,
  delete: deleteInstance,
  validate: (spec) => specIssues(spec),
});
