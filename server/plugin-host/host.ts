/**
 * The plugin host (main thread): discovers runtime plugin packages, loads and checks them, and
 * answers questions about them (which are loaded, where worker threads import them from, whether
 * a Runtime's config or a Service's spec is valid, what config looks like with secrets hidden).
 *
 * Whatever a plugin does at load time — wrong apiVersion, no default export, a broken schema, a
 * throw, a hang — it is REFUSED with a reason and the server keeps running.
 */
import { pathToFileURL } from 'node:url';
import { basename } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describeProblems, PLUGIN_API_VERSION, type RuntimePlugin } from '@driftless/plugin-sdk';
import { discoverCandidates, type Candidate } from './discover.js';
import { resolveEntry } from './entry.js';
import { redact } from './redact.js';
import { compileSchema, issuesFrom, pointerToPath, type Issue } from './schemas.js';

export type { Issue } from './schemas.js';

export interface PluginInfo {
  /** The plugin's name (from its definition; for a refused package, a guess from the package name). */
  name: string;
  version: string;
  packageName: string;
  packageDir: string;
  /** Absolute path of the module imported ('' when none was found). */
  entry: string;
  status: 'LOADED' | 'REFUSED';
  reason?: string;
}

export interface LoadedPlugin {
  info: PluginInfo;
  plugin: RuntimePlugin;
  validateConfig: ValidateFunction;
  validateSpec: ValidateFunction;
}

/** pino-compatible subset. */
export interface HostLogger {
  info(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DiscoverOptions {
  /** Package roots whose node_modules are scanned (the server's package root). */
  roots: string[];
  /** Extra directories (DRIFTLESS_PLUGIN_PATH). */
  pluginPath?: string[];
  logger?: HostLogger;
  /** How long a plugin module may take to import. Default 10 s. */
  loadTimeoutMs?: number;
  /** Also load the plugins made for tests and benchmarks (the fake runtime); default false. */
  testPlugins?: boolean;
  /** Resolve the `source` (TypeScript) export condition; default: under vitest or DRIFTLESS_PLUGIN_SOURCE=1. */
  preferSource?: boolean;
}

const VALIDATE_TIMEOUT_MS = 5_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function guessName(packageName: string): string {
  return basename(packageName).replace(/^(driftless-)?runtime-/, '');
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class PluginHost {
  private constructor(
    private readonly infos: PluginInfo[],
    private readonly loaded: Map<string, LoadedPlugin>,
  ) {}

  static async discover(options: DiscoverOptions): Promise<PluginHost> {
    const candidates = await discoverCandidates(options.roots, options.pluginPath ?? [], { testPlugins: options.testPlugins });
    const infos: PluginInfo[] = [];
    const loaded = new Map<string, LoadedPlugin>();
    for (const candidate of candidates) {
      const result = await loadCandidate(candidate, options);
      if ('plugin' in result) {
        const owner = loaded.get(result.info.name);
        if (owner) {
          const reason = `plugin name "${result.info.name}" is already provided by ${owner.info.packageName} (${owner.info.packageDir})`;
          infos.push({ ...result.info, status: 'REFUSED', reason });
        } else {
          loaded.set(result.info.name, result);
          infos.push(result.info);
        }
      } else {
        infos.push(result);
      }
    }
    for (const info of infos) {
      const fields = { plugin: info.name, package: info.packageName, dir: info.packageDir };
      // Loaded plugins are routine (and listed by `runtimePlugins`); refusals are warnings.
      if (info.status === 'LOADED') options.logger?.debug?.({ ...fields, version: info.version }, 'runtime plugin loaded');
      else options.logger?.warn({ ...fields, reason: info.reason }, 'runtime plugin refused');
    }
    return new PluginHost(infos, loaded);
  }

  list(): PluginInfo[] {
    return this.infos.map((i) => ({ ...i }));
  }

  get(name: string): LoadedPlugin | undefined {
    return this.loaded.get(name);
  }

  /** Plugin name → entry module path, for worker threads to import. */
  modulePaths(): Record<string, string> {
    return Object.fromEntries([...this.loaded].map(([name, l]) => [name, l.info.entry]));
  }

  validateRuntimeConfig(plugin: string, config: unknown): Issue[] {
    const loaded = this.loaded.get(plugin);
    if (!loaded) return [this.unknownPlugin(plugin)];
    return loaded.validateConfig(config) ? [] : issuesFrom(loaded.validateConfig.errors);
  }

  /** Schema first; the plugin's own `validate` only runs on a spec the schema accepts. */
  async validateSpec(plugin: string, spec: unknown, config: unknown): Promise<Issue[]> {
    const loaded = this.loaded.get(plugin);
    if (!loaded) return [this.unknownPlugin(plugin)];
    if (!loaded.validateSpec(spec)) return issuesFrom(loaded.validateSpec.errors);
    const validate = loaded.plugin.validate;
    if (!validate) return [];
    try {
      const issues = await withTimeout(
        Promise.resolve(validate.call(loaded.plugin, spec as Record<string, unknown>, config as Record<string, unknown>)),
        VALIDATE_TIMEOUT_MS,
        `plugin "${plugin}" validate`,
      );
      if (!Array.isArray(issues)) return [];
      return issues.map((i) => ({ path: pointerToPath(String(i?.path ?? '')), message: String(i?.message ?? 'is invalid') }));
    } catch (error) {
      return [{ path: '', message: `plugin "${plugin}" validate: ${message(error)}` }];
    }
  }

  redactConfig(plugin: string, config: Record<string, unknown>): Record<string, unknown> {
    const loaded = this.loaded.get(plugin);
    // Unknown plugin: we cannot tell what is secret, so hide every value.
    if (!loaded) return Object.fromEntries(Object.keys(config).map((k) => [k, '<redacted>']));
    return redact(config, loaded.plugin.configSchema) as Record<string, unknown>;
  }

  private unknownPlugin(name: string): Issue {
    const names = [...this.loaded.keys()].sort();
    const known = names.length > 0 ? `loaded plugins: ${names.join(', ')}` : 'no runtime plugins are loaded';
    return { path: 'plugin', message: `unknown runtime plugin "${name}" (${known})` };
  }
}

async function loadCandidate({ dir, pkg }: Candidate, options: DiscoverOptions): Promise<LoadedPlugin | PluginInfo> {
  const packageName = typeof pkg.name === 'string' ? pkg.name : basename(dir);
  const base: PluginInfo = {
    name: guessName(packageName),
    version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
    packageName,
    packageDir: dir,
    entry: '',
    status: 'REFUSED',
  };
  const refuse = (reason: string, extra: Partial<PluginInfo> = {}): PluginInfo => ({ ...base, ...extra, reason });

  const speaks = pkg.driftless?.runtimePlugin;
  if (speaks !== PLUGIN_API_VERSION) {
    return refuse(`speaks plugin apiVersion ${JSON.stringify(speaks)}; this server speaks ${PLUGIN_API_VERSION}`);
  }
  const resolved = resolveEntry(dir, pkg, options.preferSource);
  if ('error' in resolved) return refuse(resolved.error);
  const entry = resolved.path;

  let mod: { default?: unknown };
  try {
    mod = await withTimeout(import(pathToFileURL(entry).href) as Promise<{ default?: unknown }>, options.loadTimeoutMs ?? 10_000, 'import');
  } catch (error) {
    return refuse(`failed to load: ${message(error)}`, { entry });
  }
  const exported = mod.default;
  if (exported === undefined) {
    return refuse('has no default export; a plugin must `export default definePluginRuntime({ ... })`', { entry });
  }
  const problems = describeProblems(exported as Record<string, unknown>);
  if (problems.length > 0) return refuse(`is not a valid runtime plugin: ${problems.join('; ')}`, { entry });
  const plugin = exported as RuntimePlugin;
  const named = { name: plugin.name, version: plugin.version, entry };

  let validateConfig: ValidateFunction;
  let validateSpec: ValidateFunction;
  try {
    validateConfig = compileSchema(plugin.configSchema);
  } catch (error) {
    return refuse(`configSchema is not a valid JSON Schema: ${message(error)}`, named);
  }
  try {
    validateSpec = compileSchema(plugin.specSchema);
  } catch (error) {
    return refuse(`specSchema is not a valid JSON Schema: ${message(error)}`, named);
  }
  return { info: { ...base, ...named, status: 'LOADED' }, plugin, validateConfig, validateSpec };
}
