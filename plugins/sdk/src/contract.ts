/**
 * The runtime plugin contract, apiVersion 1. A plugin drives one kind of backend (local processes,
 * an SSH fleet, a cluster) through two required hooks, `fetch` and `apply`.
 *
 * Rules every plugin must keep (the conformance kit checks them):
 * - `fetch` must not change anything. It reports what is running, truthfully, including things the
 *   plugin did not start (drift).
 * - `apply` is idempotent: applying the same target twice is harmless. It may return before the
 *   backend has converged; the engine calls `fetch` again to see progress.
 * - Every hook honours `ctx.signal`: when it aborts, stop work and return or throw promptly.
 * - Errors are typed: throw `RetryableError` for transient trouble, `TerminalError` when retrying
 *   cannot help. Anything else counts as retryable.
 */

export const PLUGIN_API_VERSION = 1 as const;

/** A JSON Schema (draft 2020-12 or draft-07) object. */
export type JsonSchema = Record<string, unknown>;

export interface PluginLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/** Which Service Instance a call is about. Stable across releases. */
export interface InstanceIdentity {
  /** Opaque, stable id of the instance (application + channel + service). */
  instanceId: string;
  application: string;
  channel: string;
  service: string;
  runtime: string;
}

/** What the engine wants running: one release of the service, rendered for this channel. */
export interface TargetState {
  releaseId: string;
  /** The version label the plugin must report back in ObservedState (the release id). */
  version: string;
  params: Record<string, string | number>;
  spec: Record<string, unknown>;
  env: Record<string, string>;
  digest: string;
}

export interface PluginContext<Config = Record<string, unknown>> {
  config: Config;
  instance: InstanceIdentity;
  signal: AbortSignal;
  logger: PluginLogger;
  /**
   * The server's data directory (DRIFTLESS_DATA_DIR), absolute. A plugin that keeps local state
   * (pidfiles, caches) puts it below this unless its config says otherwise. Absent in tools that
   * run a plugin outside a server.
   */
  dataDir?: string;
}

export interface FetchContext<Config = Record<string, unknown>> extends PluginContext<Config> {
  /** The target the engine is steering to, when there is one (to compare specs for drift). */
  target?: TargetState;
}

export interface ApplyContext<Config = Record<string, unknown>> extends PluginContext<Config> {
  target: TargetState;
}

export interface DeleteContext<Config = Record<string, unknown>> extends PluginContext<Config> {}

export type ObjectStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface ObservedVersion {
  /** The release id the workload was started for (TargetState.version). */
  version: string;
  replicas: number;
  availableReplicas: number;
  /** True for the version that serves traffic. A converged object has exactly one active version. */
  active: boolean;
  /** True when what runs differs from what that version asked for (spec edited by hand, wrong env...). */
  drifted: boolean;
}

export interface ObservedObject {
  name: string;
  status: ObjectStatus;
  versions: ObservedVersion[];
  message?: string;
}

export interface ObservedState {
  objects: ObservedObject[];
}

export interface ApplyResult {
  /** Optional human summary, shown in events ("started replica 2 of 3"). */
  message?: string;
  /** Ask the engine to check again sooner than its default backoff (milliseconds). */
  recheckAfterMs?: number;
}

export interface ValidationIssue {
  /** JSON-pointer-like path inside the spec, e.g. `/healthCheck/path`. */
  path: string;
  message: string;
}

export interface RuntimePluginDefinition<Config = Record<string, unknown>, Spec = Record<string, unknown>> {
  name: string;
  version: string;
  apiVersion: typeof PLUGIN_API_VERSION;
  description?: string;
  /** JSON Schema for the Runtime's `config`. Properties marked `"x-secret": true` are redacted on read. */
  configSchema: JsonSchema;
  /** JSON Schema for a Service's rendered `spec`. */
  specSchema: JsonSchema;
  /** Current state of one instance. Must not change anything. */
  fetch(ctx: FetchContext<Config>): Promise<ObservedState>;
  /** Move one instance towards ctx.target. Idempotent. */
  apply(ctx: ApplyContext<Config>): Promise<ApplyResult | void>;
  /** Extra checks beyond the schema, run when config is applied. Default: none. */
  validate?(spec: Spec, config: Config): ValidationIssue[] | Promise<ValidationIssue[]>;
  /** Remove everything of this instance (the application or service was deleted). Default: nothing. */
  delete?(ctx: DeleteContext<Config>): Promise<void>;
}

/** What `definePluginRuntime` returns: the definition, frozen, with a brand the host checks. */
export type RuntimePlugin<Config = Record<string, unknown>, Spec = Record<string, unknown>> = Readonly<
  RuntimePluginDefinition<Config, Spec>
> & { readonly __driftlessRuntimePlugin: typeof PLUGIN_API_VERSION };
