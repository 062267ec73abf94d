import { definePluginRuntime } from '@driftless/plugin-sdk';
import { applyStep } from './apply.js';
import { fetchState } from './fetch.js';
import { deleteInstance } from './lifecycle.js';
import { configSchema, parseSpec, specSchema, type ProcessConfig } from './schema.js';

export { stopAll } from './lifecycle.js';
export { resolveStateDir, type ProcessConfig, type ProcessSpec } from './schema.js';
export type { ReplicaRecord } from './records.js';

/**
 * Local processes, the embedded default runtime. Each replica is a detached process group that
 * outlives the server; `<stateDir>/<application>/<channel>/<service>/` holds one record and one log
 * per replica, and is all the memory the plugin has.
 */
export default definePluginRuntime<ProcessConfig>({
  name: 'process',
  version: '0.1.0',
  apiVersion: 1,
  capabilities: { rolloutSteps: true },
  description: 'Runs services as local processes (replicas, ports, HTTP health checks, rolling updates).',
  configSchema,
  specSchema,
  fetch: fetchState,
  apply: applyStep,
  delete: deleteInstance,
  validate(spec) {
    try {
      parseSpec(spec);
      return [];
    } catch (err) {
      return [{ path: '', message: (err as Error).message }];
    }
  },
});
