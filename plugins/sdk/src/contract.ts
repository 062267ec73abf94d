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

/** The contract version this SDK describes; a package declares it as `"driftless": { "runtimePlugin": 1 }`. */
export const PLUGIN_API_VERSION = 1 as const;

/** A JSON Schema (draft 2020-12 or draft-07) object. */
export type JsonSchema = Record<string, unknown>;

/** Goes to the server's log, tagged with the plugin and the instance. Never log config: it may hold secrets. */
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
  /** Application name (lowercase, stable). */
  application: string;
  /** Release channel name within the application, e.g. "staging". */
  channel: string;
  /** Service name within the application. */
  service: string;
  /** Name of the Runtime document that drives this instance (not the plugin's name). */
  runtime: string;
}

/** What the engine wants running: one release of the service, rendered for this channel. */
export interface TargetState {
  /** The release being deployed. */
  releaseId: string;
  /** The version label the plugin must report back in ObservedState (the release id). */
  version: string;
  /** The release's parameter values, e.g. `{ version: "v2" }`. */
  params: Record<string, string | number>;
  /** The Service spec rendered for this channel; it passed the plugin's specSchema and validate. */
  spec: Record<string, unknown>;
  /** Environment merged from channel, service and per-channel overrides. */
  env: Record<string, string>;
  /**
   * Content hash of the compiled desired state. The same version with another digest means the
   * config changed under the release: report what runs as drifted, and apply re-deploys it.
   */
  digest: string;
  /**
   * A progressive rollout's current step (only sent to plugins that declare
   * `capabilities.rolloutSteps`): run `replicas` replicas of this version and leave the others on
   * what they run now. Absent: run every replica of this version (the usual rolling update). With
   * a step, report the object SUCCEEDED once `replicas` replicas of the version are available.
   */
  step?: RolloutStep;
}

/** One step of a progressive rollout, as the engine asks a plugin to run it. */
export interface RolloutStep {
  /** 0-based index of the step among the rollout's steps. */
  index: number;
  /** How many steps the rollout has (the last one runs every replica and is sent without `step`). */
  count: number;
  /** How many replicas (or hosts, for a fleet) run the target version at this step. 0: none yet. */
  replicas: number;
  /** The step as written, when written as a percentage of spec.replicas. */
  percent?: number;
}

/** What a plugin can do beyond the required hooks. Absent fields mean "no". */
export interface PluginCapabilities {
  /**
   * The plugin runs TargetState.step: only `step.replicas` replicas on the target version, the rest
   * unchanged. Services whose channels use `rollout.steps` are refused at applyConfig on plugins
   * without it.
   */
  rolloutSteps?: boolean;
}

/** What every hook receives. */
export interface PluginContext<Config = Record<string, unknown>> {
  /** The Runtime's `config`, validated against configSchema. Holds secrets in clear: keep it out of messages. */
  config: Config;
  instance: InstanceIdentity;
  /**
   * Aborts when the call's deadline passes (or the server shuts down). Pass it to every wait and
   * I/O call, check it between steps, and settle promptly once it aborts.
   */
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

/**
 * SUCCEEDED: the object is in the state its versions describe. PENDING: getting there (starting,
 * rolling). FAILED: broken (crashed, failed to start); say why in `message`.
 */
export type ObjectStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface ObservedVersion {
  /** The release id the workload was started for (TargetState.version). */
  version: string;
  /** How many replicas of this version are meant to run. */
  replicas: number;
  /** How many of them are up and serving (healthy). */
  availableReplicas: number;
  /** True for the version that serves traffic. A converged object has exactly one active version. */
  active: boolean;
  /** True when what runs differs from what that version asked for (spec edited by hand, wrong env...). */
  drifted: boolean;
  /**
   * Optional: how many times replicas of this version were restarted after they crashed or exited,
   * counted by the runtime since this version was first started (cumulative, never reset by a
   * fetch). The engine's crash-loop detection uses it next to its own count of heal cycles; leave it
   * out when the backend cannot tell.
   */
  restarts?: number;
}

/** One thing the plugin manages for an instance (usually one, named after the service; one per host for a fleet). */
export interface ObservedObject {
  name: string;
  status: ObjectStatus;
  /** One entry per release found running (mid-rollout: old and new). */
  versions: ObservedVersion[];
  /** Why the object is in its status, for a person on call (shown with DRIFT_DETECTED, UNHEALTHY). */
  message?: string;
}

/**
 * What runs for one instance, as `fetch` found it. `{ objects: [] }` means nothing is deployed.
 * Converged = every object SUCCEEDED with exactly one active version, the target's, not drifted,
 * all replicas available.
 */
export interface ObservedState {
  objects: ObservedObject[];
}

export interface ApplyResult {
  /** Optional human summary, shown in events ("started replica 2 of 3"). */
  message?: string;
  /** Ask the engine to check again sooner than its default backoff (milliseconds). */
  recheckAfterMs?: number;
  /**
   * What runs after this apply, when the plugin knows it (what `fetch` would return now). When it
   * shows the target reached, the engine counts the instance converged in this tick instead of
   * confirming with a fetch on a later one; anything else changes nothing. Leave it out unless it
   * is as true as a fetch: stabilization, verification and crash-loop detection start from it.
   */
  observed?: ObservedState;
}

export interface ValidationIssue {
  /** JSON-pointer-like path inside the spec, e.g. `/healthCheck/path`. */
  path: string;
  message: string;
}

/** What a plugin package passes to `definePluginRuntime`. The guide: docs/plugin-guide.md. */
export interface RuntimePluginDefinition<Config = Record<string, unknown>, Spec = Record<string, unknown>> {
  /** What Runtime documents name in `plugin`: lowercase letters, digits and dashes, e.g. "process". */
  name: string;
  /** The plugin's own version (shown in `runtimePlugins`). */
  version: string;
  /** Must be 1 (PLUGIN_API_VERSION): the contract this definition keeps. */
  apiVersion: typeof PLUGIN_API_VERSION;
  /** One line for people choosing a runtime. */
  description?: string;
  /** What the plugin supports beyond fetch and apply (progressive rollouts). Default: nothing. */
  capabilities?: PluginCapabilities;
  /** JSON Schema for the Runtime's `config`. Properties marked `"x-secret": true` are redacted on read. */
  configSchema: JsonSchema;
  /** JSON Schema for a Service's rendered `spec`. */
  specSchema: JsonSchema;
  /**
   * Current state of one instance, read from the backend (never from memory the plugin kept).
   * Must not change anything: it runs on every tick, also while convergence is paused.
   */
  fetch(ctx: FetchContext<Config>): Promise<ObservedState>;
  /**
   * Move one instance one step towards ctx.target; called again while fetch shows it is not
   * converged. Idempotent: on an instance already at the target it changes nothing. Throw
   * TerminalError when retrying cannot help, RetryableError for trouble that may pass.
   */
  apply(ctx: ApplyContext<Config>): Promise<ApplyResult | void>;
  /** Extra checks beyond the schema, run when config is applied. Default: none. */
  validate?(spec: Spec, config: Config): ValidationIssue[] | Promise<ValidationIssue[]>;
  /**
   * Remove everything of this instance (the application or service was deleted). Idempotent:
   * deleting what is already gone succeeds. Default: nothing is removed.
   */
  delete?(ctx: DeleteContext<Config>): Promise<void>;
}

/** What `definePluginRuntime` returns: the definition, frozen, with a brand the host checks. */
export type RuntimePlugin<Config = Record<string, unknown>, Spec = Record<string, unknown>> = Readonly<
  RuntimePluginDefinition<Config, Spec>
> & { readonly __driftlessRuntimePlugin: typeof PLUGIN_API_VERSION };
