import { definePluginRuntime, type ValidationIssue } from '@driftless/plugin-sdk';
import { applyStep } from './apply.js';
import { deleteInstance } from './delete.js';
import { fetchState } from './fetch.js';
import { parseConfig, parseSpec, selectHosts, type SshRuntimeConfig } from './parse.js';
import { configSchema, specSchema } from './schema.js';

export type { SshRuntimeConfig, SshSpec } from './parse.js';
export type { ReleaseRecord } from './record.js';

/** "invalid ssh spec: files[0].path must ..." → the message without its prefix. */
const bare = (err: unknown) => (err as Error).message.replace(/^invalid ssh (spec|runtime config): /, '');

/**
 * VM fleets over SSH. Each selected host runs one process of the service, started detached in a
 * per-release directory; `<baseDir>/<application>/<channel>/<service>/current.json` on the host
 * records what runs there, so fetch reports from the hosts themselves and drift is seen.
 * The private key is a secret: redacted on read by the host, never logged, never in messages.
 */
export default definePluginRuntime<SshRuntimeConfig>({
  name: 'ssh',
  version: '0.1.0',
  apiVersion: 1,
  capabilities: { rolloutSteps: true },
  description: 'Runs a service on a fleet of hosts over SSH (files, start/stop commands, health checks, rolling by maxUnavailable).',
  configSchema,
  specSchema,
  fetch: fetchState,
  apply: applyStep,
  delete: deleteInstance,
  validate(spec, config) {
    const issues: ValidationIssue[] = [];
    let selector: Record<string, string> = {};
    try {
      selector = parseSpec(spec).hostSelector;
    } catch (err) {
      issues.push({ path: '', message: bare(err) });
    }
    try {
      const hosts = parseConfig(config).hosts;
      if (selectHosts(hosts, selector).length === 0) {
        issues.push({ path: '/hostSelector', message: `matches none of the runtime's ${hosts.length} host(s)` });
      }
    } catch (err) {
      issues.push({ path: '', message: `runtime config: ${bare(err)}` });
    }
    return issues;
  },
});
