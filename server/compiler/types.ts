/**
 * Plain data in and out of the compiler. No database, GraphQL or plugin types here:
 * the compiler is pure, and everything it returns can be stored as JSON.
 */

export type DocumentKind = 'Runtime' | 'Application' | 'Service';
export const CONFIG_API_VERSION = 'driftless/v1';

/** Where a diagnostic points: a person must be able to follow it to the line in their YAML. */
export interface Diagnostic {
  code: DiagnosticCode;
  /** One line, e.g. `document 2 (Application shop): releaseChannels[1].dependsOn[0]: unknown channel "stagin"`. */
  message: string;
  /** 0-based index of the YAML document in the stream; absent for errors not tied to one document. */
  documentIndex?: number;
  kind?: string;
  name?: string;
  /** Field path inside the document, e.g. `releaseChannels[1].dependsOn[0]`; '' for the whole document. */
  fieldPath?: string;
  /** 1-based line in the submitted text, where the YAML parser knows it. */
  line?: number;
}

export type DiagnosticCode =
  | 'YAML_SYNTAX'
  | 'UNKNOWN_KIND'
  | 'SCHEMA_VIOLATION'
  | 'INVALID_NAME'
  | 'DUPLICATE_NAME'
  | 'UNKNOWN_REFERENCE'
  | 'DEPENDENCY_CYCLE'
  | 'TEMPLATE_ERROR'
  | 'UNKNOWN_PARAMETER'
  | 'MISSING_PARAMETER'
  | 'INVALID_PARAMETER';

export type Scalar = string | number | boolean;
export type JsonValue = Scalar | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RuntimeDoc {
  kind: 'Runtime';
  name: string;
  plugin: string;
  config: JsonObject;
  labels: Record<string, string>;
  /** At most this many instances roll out on this runtime at once (all applications); absent: no limit. */
  maxConcurrentRollouts?: number;
}

/** Gates as written in YAML (one key per list entry). */
export type GateDoc =
  | { soak: { duration: string; protect?: boolean } }
  | { manualApproval: { minApprovers?: number; preventSelfApproval?: boolean } }
  | { allowedTimes: { days?: string | string[]; hours?: string; timezone?: string } }
  | { alerts: { alertmanager: string; matchers?: Record<string, string> } }
  | { httpCheck: { url: string; expectStatus?: number; duration?: string; intervalSeconds?: number } };

export interface ChannelDoc {
  name: string;
  runtime: string;
  dependsOn: string[];
  constants: Record<string, Scalar>;
  env: Record<string, string>;
  gates: GateDoc[];
  /** How long a release must stay healthy here before it counts as converged; absent: the service's, else the server's. */
  stabilizationWindow?: string;
  /** How releases queue here: the newest replaces what waits (latest, the default) or every one goes through (queue). */
  releasePolicy?: ReleasePolicy;
  /** At most this many instances of the channel roll out at once; absent: no limit. */
  maxParallel?: number;
}

export type ReleasePolicy = 'latest' | 'queue';

export interface ApplicationDoc {
  kind: 'Application';
  name: string;
  releaseChannels: ChannelDoc[];
}

export type ParameterType = 'string' | 'int';

export interface ParameterDecl {
  name: string;
  type: ParameterType;
  required: boolean;
  default?: string | number;
  description?: string;
}

export interface ChannelOverride {
  spec?: JsonObject;
  env?: Record<string, string>;
}

export interface ServiceDoc {
  kind: 'Service';
  name: string;
  application: string;
  parameters: ParameterDecl[];
  /** Runtime-specific template, rendered per channel. */
  spec: JsonObject;
  env: Record<string, string>;
  perChannel: Record<string, ChannelOverride>;
  /** A rollout that has not converged after this long fails (e.g. "10m"). */
  progressDeadline: string;
  /** Wins over the channel's stabilizationWindow; absent: the channel's, else the server's. */
  stabilizationWindow?: string;
  /** Services of the application that converge first in a channel when released together. */
  dependsOn?: string[];
}

export type ConfigDoc = RuntimeDoc | ApplicationDoc | ServiceDoc;

/** Where each document came from, for diagnostics raised after parsing. */
export interface DocumentOrigin {
  documentIndex: number;
  kind: DocumentKind;
  name: string;
}

/** Validated, defaulted, reference-checked documents. */
export interface ConfigBundle {
  runtimes: RuntimeDoc[];
  applications: ApplicationDoc[];
  services: ServiceDoc[];
  origins: DocumentOrigin[];
}

/** Gates after compilation: durations in milliseconds, defaults applied. */
export type CompiledGate =
  | { type: 'soak'; durationMs: number; protect?: boolean }
  | { type: 'manualApproval'; minApprovers: number; preventSelfApproval?: boolean }
  | { type: 'allowedTimes'; days: number[]; startHour: number; endHour: number; timezone: string }
  | { type: 'alerts'; alertmanager: string; matchers: Record<string, string> }
  | { type: 'httpCheck'; url: string; expectStatus: number; durationMs: number; intervalMs: number };

/** What one Service should be in one Release Channel for one set of parameter values. */
export interface CompiledChannelState {
  application: string;
  service: string;
  channel: string;
  runtime: string;
  plugin: string;
  dependsOn: string[];
  gates: CompiledGate[];
  /** Parameter values after defaults and type coercion. */
  params: Record<string, string | number>;
  /** Rendered runtime spec: service spec deep-merged with perChannel[channel].spec. */
  spec: JsonObject;
  /** Merged env: channel env < service env < perChannel env. */
  env: Record<string, string>;
  progressDeadlineMs: number;
  /**
   * How long the release must stay healthy after the runtime first reports it converged before it
   * counts as converged here. Absent: the server's default (an engine setting).
   */
  stabilizationMs?: number;
  /** sha256 over the canonical JSON of what the plugin will see (runtime, plugin, spec, env, params). */
  digest: string;
}

export type Result<T> = { ok: true; value: T; diagnostics: [] } | { ok: false; diagnostics: Diagnostic[] };
