import { diagnosticsToUserErrors } from './diagnostics.js';
import { compileRelease } from '../compiler/index.js';
import type { ApplicationDoc, CompiledChannelState, DocumentKind, RuntimeDoc, ServiceDoc } from '../compiler/types.js';
import type { UserErrorData } from '../domain/user-error.js';
import type { PluginHost } from '../plugin-host/index.js';
import type { PluginConfigValidator } from './apply-config.js';
import { isSealed } from '../secrets/seal.js';
import { isSecretRef, mapSecretFields } from '../secrets/secret-fields.js';
import { resolveSecretRefs, SecretRefError } from '../secrets/resolve-refs.js';
import { makeScrubber } from '../secrets/scrub.js';

/**
 * Checks runtime configs and rendered service specs against their plugins' schemas when config is
 * applied, so a bad spec is a user error at applyConfig, not a failure at deploy time.
 */
export function pluginValidator(host: PluginHost, openSecrets: (config: Record<string, unknown>) => Record<string, unknown> = (c) => c): PluginConfigValidator {
  return async (bundle, { runtimes, applications }) => {
    const errors: UserErrorData[] = [];
    const where = (kind: DocumentKind, name: string) => bundle.origins.find((o) => o.kind === kind && o.name === name)?.documentIndex;
    const pathOf = (kind: DocumentKind, name: string, field: string) => {
      const index = where(kind, name);
      return ['documents', ...(index !== undefined ? [String(index)] : []), `${kind} ${name}`, field];
    };
    const prefix = (kind: DocumentKind, name: string) => {
      const index = where(kind, name);
      return index !== undefined ? `document ${index + 1} (${kind} ${name})` : `${kind} ${name}`;
    };

    for (const runtime of bundle.runtimes) {
      for (const issue of host.validateRuntimeConfig(runtime.plugin, placeholders(host, runtime.plugin, runtime.config))) {
        const field = issue.path === 'plugin' ? 'plugin' : joinPath('config', issue.path);
        errors.push({ code: 'INVALID_PLUGIN_CONFIG', message: `${prefix('Runtime', runtime.name)}: ${field}: ${issue.message}`, path: pathOf('Runtime', runtime.name, field) });
      }
    }
    const runtimeByName = new Map(runtimes.map((r) => [r.name, r]));
    const forValidate = validateConfigs(host, runtimeByName, openSecrets);
    for (const service of bundle.services) {
      errors.push(...(await validateService(host, applications, service, runtimeByName, forValidate, prefix, pathOf)));
    }
    return errors;
  };
}

async function validateService(
  host: PluginHost,
  applications: ApplicationDoc[],
  service: ServiceDoc,
  runtimes: Map<string, RuntimeDoc>,
  forValidate: (runtime: RuntimeDoc) => ValidateConfig,
  prefix: (kind: DocumentKind, name: string) => string,
  pathOf: (kind: DocumentKind, name: string, field: string) => string[],
): Promise<UserErrorData[]> {
  const application = applications.find((a) => a.name === service.application);
  if (!application) return [];
  const result = compileRelease({ application, service, runtimes: [...runtimes.values()], params: sampleParams(service) });
  if (!result.ok) {
    // Template problems were reported by the checker already; rollout steps are judged against the
    // rendered spec (replicas), so only this compile sees theirs.
    return diagnosticsToUserErrors(result.diagnostics.filter((d) => d.message.includes('rollout.steps')));
  }
  const errors: UserErrorData[] = [];
  const seen = new Set<string>();
  for (const state of result.value) {
    const runtime = runtimes.get(state.runtime);
    const stepsRefused = refuseSteps(host, service, state);
    if (stepsRefused && !seen.has(stepsRefused)) {
      seen.add(stepsRefused);
      const path = service.rollout ? pathOf('Service', service.name, 'rollout') : pathOf('Application', service.application, `releaseChannels.${state.channel}.rollout`);
      errors.push({ code: 'INVALID_PLUGIN_CONFIG', message: `${prefix('Service', service.name)}: ${stepsRefused}`, path });
    }
    const validating = runtime ? forValidate(runtime) : { config: {}, scrub: (t: string) => t };
    if ('error' in validating) {
      if (!seen.has(validating.error)) {
        seen.add(validating.error);
        errors.push({ code: 'INVALID_PLUGIN_CONFIG', message: `${prefix('Service', service.name)}: runtime ${state.runtime}: ${validating.error}`, path: pathOf('Service', service.name, 'spec') });
      }
      continue;
    }
    for (const raw of await host.validateSpec(state.plugin, state.spec, validating.config)) {
      // The plugin saw clear secrets: what it says about them is scrubbed like any plugin output.
      const issue = { path: raw.path, message: validating.scrub(raw.message) };
      const field = issue.path === 'plugin' ? 'spec' : joinPath('spec', issue.path);
      const key = `${field}: ${issue.message}`;
      if (seen.has(key)) continue; // the same mistake in every channel is reported once
      seen.add(key);
      errors.push({
        code: 'INVALID_PLUGIN_CONFIG',
        message: `${prefix('Service', service.name)}: ${field}: ${issue.message} (as rendered for channel ${state.channel}, runtime plugin "${state.plugin}")`,
        path: pathOf('Service', service.name, field),
      });
    }
  }
  return errors;
}

/**
 * A progressive rollout needs a plugin that runs part of the replicas on the new version
 * (capabilities.rolloutSteps); any other would roll out all at once and the steps would lie.
 */
function refuseSteps(host: PluginHost, service: ServiceDoc, state: CompiledChannelState): string | undefined {
  if (!state.rollout) return undefined;
  const plugin = host.get(state.plugin)?.plugin;
  if (!plugin || plugin.capabilities?.rolloutSteps) return undefined;
  const from = service.rollout ? 'the service sets rollout.steps' : `channel ${state.channel} sets rollout.steps`;
  return `rollout: ${from}, but runtime ${state.runtime} uses plugin "${state.plugin}", which cannot run a release in steps (it does not declare capabilities.rolloutSteps); remove the steps for that channel or use a runtime whose plugin supports them (process, docker, ssh)`;
}

/** Values for parameters that have no default, shaped by their type, so the spec can be rendered. */
function sampleParams(service: ServiceDoc): Record<string, string | number> {
  return Object.fromEntries(service.parameters.map((p) => [p.name, p.default ?? (p.type === 'int' ? 1 : 'sample')]));
}

type ValidateConfig = { config: Record<string, unknown>; scrub: (text: string) => string } | { error: string };

/**
 * What a plugin's `validate` gets of a runtime config: the clear config, as its calls get it
 * (sealed values opened, references resolved here on the plugin host side, never stored), once
 * per runtime. A reference that cannot be resolved is an error of the apply, said early.
 */
function validateConfigs(host: PluginHost, runtimes: Map<string, RuntimeDoc>, openSecrets: (config: Record<string, unknown>) => Record<string, unknown>): (runtime: RuntimeDoc) => ValidateConfig {
  const cache = new Map<string, ValidateConfig>();
  return (runtime) => {
    let found = cache.get(runtime.name);
    if (!found) {
      try {
        const resolved = resolveSecretRefs(openSecrets(runtime.config), host.get(runtime.plugin)?.plugin.configSchema);
        found = { config: resolved.config, scrub: makeScrubber(resolved.secrets) };
      } catch (err) {
        if (!(err instanceof SecretRefError)) throw err;
        found = { error: err.message };
      }
      cache.set(runtime.name, found);
    }
    return found;
  };
}

/**
 * What the plugin's schema sees of a runtime config: a reference or a sealed value at a secret
 * position reads as a placeholder string (the schema checks the shape of the document as written).
 */
function placeholders(host: PluginHost, plugin: string, config: Record<string, unknown>): Record<string, unknown> {
  const schema = host.get(plugin)?.plugin.configSchema;
  return mapSecretFields(config, schema, (value) => (isSealed(value) || isSecretRef(value) ? '<secret>' : value)) as Record<string, unknown>;
}

function joinPath(root: string, path: string): string {
  if (!path) return root;
  return path.startsWith('[') ? `${root}${path}` : `${root}.${path}`;
}
