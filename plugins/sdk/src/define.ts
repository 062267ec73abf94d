import { PLUGIN_API_VERSION, type RuntimePlugin, type RuntimePluginDefinition } from './contract.js';

/** Thrown at load time when a plugin definition breaks the contract. */
export class PluginDefinitionError extends Error {
  override name = 'PluginDefinitionError';
}

const NAME_RULE = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Validates a plugin definition eagerly and returns it frozen. Call it as the default export of a
 * plugin package: `export default definePluginRuntime({ ... })`. Every mistake throws a
 * PluginDefinitionError naming the field, so a broken plugin fails when it is loaded, not mid-deploy.
 */
export function definePluginRuntime<Config = Record<string, unknown>, Spec = Record<string, unknown>>(
  definition: RuntimePluginDefinition<Config, Spec>,
): RuntimePlugin<Config, Spec> {
  const problems = describeProblems(definition as unknown as Record<string, unknown>);
  if (problems.length > 0) {
    const label = typeof definition?.name === 'string' ? `plugin "${definition.name}"` : 'plugin';
    throw new PluginDefinitionError(`${label}: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...definition, __driftlessRuntimePlugin: PLUGIN_API_VERSION }) as RuntimePlugin<Config, Spec>;
}

/** Every way a value fails to be a plugin definition, as readable phrases; [] when it is one. */
export function describeProblems(def: Record<string, unknown> | null | undefined): string[] {
  if (typeof def !== 'object' || def === null) return ['the definition must be an object'];
  const problems: string[] = [];
  if (typeof def.name !== 'string' || !NAME_RULE.test(def.name) || def.name.length > 63) {
    problems.push('name must be a lowercase name like "process" (letters, digits, dashes; at most 63)');
  }
  if (typeof def.version !== 'string' || def.version.length === 0) problems.push('version must be a non-empty string');
  if (def.apiVersion !== PLUGIN_API_VERSION) {
    problems.push(`apiVersion is ${JSON.stringify(def.apiVersion)}, this server speaks apiVersion ${PLUGIN_API_VERSION}`);
  }
  for (const key of ['configSchema', 'specSchema'] as const) {
    const schema = def[key];
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) problems.push(`${key} must be a JSON Schema object`);
  }
  for (const hook of ['fetch', 'apply'] as const) {
    if (typeof def[hook] !== 'function') problems.push(`${hook} must be a function`);
  }
  for (const hook of ['validate', 'delete'] as const) {
    if (def[hook] !== undefined && typeof def[hook] !== 'function') problems.push(`${hook}, when given, must be a function`);
  }
  const caps = def.capabilities;
  if (caps !== undefined && (typeof caps !== 'object' || caps === null || Array.isArray(caps))) problems.push('capabilities, when given, must be an object');
  else if (caps && (caps as Record<string, unknown>).rolloutSteps !== undefined && typeof (caps as Record<string, unknown>).rolloutSteps !== 'boolean') problems.push('capabilities.rolloutSteps, when given, must be true or false');
  return problems;
}
