import { definePluginRuntime, type ValidationIssue } from '@driftless/plugin-sdk';
import { applyStep } from './apply.js';
import { parseConfig, type DockerConfig, type DockerRuntimeConfig } from './config.js';
import { deleteInstance } from './delete.js';
import { fetchState } from './fetch.js';
import { SpecError } from './problems.js';
import { configSchema, specSchema } from './schema.js';
import { buildTemplate } from './template.js';

export type { DockerRuntimeConfig } from './config.js';
export type { ServiceTemplate } from './template.js';
export { LABEL } from './labels.js';

/**
 * Containers on a Docker Engine (or Podman's compatible API). Each replica is one container
 * labelled with the instance, release and digest: the labels are the plugin's only memory, so
 * fetch reads everything from the Engine, and a container stopped, removed or edited by hand is
 * seen. Compose services can be taken as they are, and their running containers adopted.
 * TLS client material and SSH keys are secrets: redacted on read, never logged, never in messages.
 */
export default definePluginRuntime<DockerRuntimeConfig>({
  name: 'docker',
  version: '0.1.0',
  apiVersion: 1,
  capabilities: { rolloutSteps: true },
  description: 'Runs a service as containers on a Docker Engine or Podman (replicas, health checks, start-first rollouts, compose services, adoption).',
  configSchema,
  specSchema,
  fetch: fetchState,
  apply: applyStep,
  delete: deleteInstance,
  validate(spec, config) {
    const issues: ValidationIssue[] = [];
    let runtime: Pick<DockerConfig, 'network' | 'labels'> = { labels: {} };
    try {
      runtime = parseConfig(config);
    } catch (err) {
      issues.push({ path: '', message: `runtime config: ${(err as Error).message.replace(/^invalid docker runtime config: /, '')}` });
    }
    try {
      buildTemplate({ spec, config: runtime });
    } catch (err) {
      if (err instanceof SpecError) issues.push(...err.issues);
      else issues.push({ path: '', message: (err as Error).message });
    }
    return issues;
  },
});
