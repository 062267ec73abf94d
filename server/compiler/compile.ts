/**
 * compileRelease: one Service of one Application plus a Release's parameter values → the desired
 * state of that service in every release channel, in dependency order. Pure: the same input
 * always gives the same output and the same digests.
 */
import { findCycles, orderChannels } from './channel-graph.js';
import { expandChannels } from './channel-groups.js';
import { compileSteps, type StepProblem } from './rollout-steps.js';
import { diagnostic, formatPath, type PathSegment } from './diagnostics.js';
import { contentDigest } from './digest.js';
import { parseDuration, DURATION_HELP } from './durations.js';
import { compileGate } from './gates.js';
import { deepMerge } from './merge.js';
import { resolveParams } from './params.js';
import { makeResolver, type ResolverScope } from './resolver.js';
import { renderValue, type RenderProblem } from './templates.js';
import type {
  ApplicationDoc,
  ChannelDoc,
  CompiledChannelState,
  CompiledGate,
  Diagnostic,
  JsonObject,
  JsonValue,
  Result,
  RuntimeDoc,
  ServiceDoc,
} from './types.js';

export interface ReleaseInput {
  application: ApplicationDoc;
  service: ServiceDoc;
  runtimes: RuntimeDoc[];
  params: Record<string, unknown>;
}

export interface CompileOptions {
  /** Render missing parameters as `<params.NAME>` instead of failing (dry-run previews). */
  previewMissingParams?: boolean;
}

export function compileRelease(input: ReleaseInput, options: CompileOptions = {}): Result<CompiledChannelState[]> {
  const { application: app, service } = input;
  const preview = options.previewMissingParams ?? false;
  const diagnostics: Diagnostic[] = [];
  const onService = (fieldPath: string) => ({ kind: 'Service', name: service.name, fieldPath });
  const onApp = (fieldPath: string) => ({ kind: 'Application', name: app.name, fieldPath });

  if (service.application !== app.name) {
    diagnostics.push(diagnostic('UNKNOWN_REFERENCE', `service belongs to application "${service.application}", not "${app.name}"`, onService('application')));
  }
  const declared = service.parameters ?? [];
  const params = resolveParams(service.name, declared, input.params ?? {}, preview);
  diagnostics.push(...params.diagnostics);

  const progressDeadline = service.progressDeadline ?? '10m';
  const progressDeadlineMs = parseDuration(progressDeadline);
  if (progressDeadlineMs === undefined) {
    diagnostics.push(diagnostic('SCHEMA_VIOLATION', `invalid duration "${progressDeadline}": ${DURATION_HELP}`, onService('progressDeadline')));
  }

  const expanded = expandChannels(app, input.runtimes);
  const channels = expanded.map((e) => e.channel);
  // Diagnostics point at what the user wrote: the channel, or the group that generated it.
  const base = (channel: ChannelDoc): PathSegment[] => {
    const e = expanded[channels.indexOf(channel)]!;
    return e.groupIndex === undefined ? ['releaseChannels', app.releaseChannels.indexOf(channel)] : ['releaseChannelGroups', e.groupIndex];
  };
  const ordered = orderChannels(channels);
  if (!ordered) {
    for (const cycle of findCycles(channels)) diagnostics.push(diagnostic('DEPENDENCY_CYCLE', `dependency cycle: ${cycle.join(' -> ')}`, onApp('releaseChannels')));
    return { ok: false, diagnostics };
  }

  const runtimes = new Map(input.runtimes.map((r) => [r.name, r]));
  const states: CompiledChannelState[] = [];
  for (const channel of ordered) {
    const at = base(channel);
    const runtime = runtimes.get(channel.runtime);
    if (!runtime) {
      diagnostics.push(diagnostic('UNKNOWN_REFERENCE', `unknown runtime "${channel.runtime}"`, onApp(formatPath([...at, 'runtime']))));
      continue;
    }

    const gates: CompiledGate[] = [];
    (channel.gates ?? []).forEach((gate, g) => {
      const compiled = compileGate(gate);
      if (compiled.ok) gates.push(compiled.gate);
      else for (const p of compiled.problems) diagnostics.push(diagnostic('SCHEMA_VIOLATION', p.text, onApp(formatPath([...at, 'gates', g, ...p.path]))));
    });

    const scope: ResolverScope = {
      applicationName: app.name,
      channel,
      runtime,
      params: params.values,
      declaredParams: declared.map((d) => d.name),
      previewMissing: preview,
      alreadyReported: params.failed,
    };
    const override = service.perChannel?.[channel.name] ?? {};
    const inChannel = ` (channel "${channel.name}")`;

    // Where a rendered value came from, so the path points at what the user must edit.
    const reportService = (problems: RenderProblem[], origin: (path: PathSegment[]) => PathSegment[]) => {
      for (const p of problems) diagnostics.push(diagnostic('TEMPLATE_ERROR', p.text + inChannel, onService(formatPath(origin(p.path)))));
    };
    const fromOverride = (path: PathSegment[]) =>
      hasPath(override.spec, path.slice(1)) ? ['perChannel', channel.name, ...path] : path;

    const specProblems: RenderProblem[] = [];
    const spec = renderValue(deepMerge(service.spec ?? {}, override.spec ?? {}), makeResolver(scope), ['spec'], specProblems) as JsonObject;
    reportService(specProblems, fromOverride);

    const channelEnvProblems: RenderProblem[] = [];
    const channelEnv = renderValue(channel.env ?? {}, makeResolver({ ...scope, params: undefined }), [...at, 'env'], channelEnvProblems);
    for (const p of channelEnvProblems) diagnostics.push(diagnostic('TEMPLATE_ERROR', p.text, onApp(formatPath(p.path))));

    const serviceEnvProblems: RenderProblem[] = [];
    const serviceEnv = renderValue(service.env ?? {}, makeResolver(scope), ['env'], serviceEnvProblems);
    const overrideEnv = renderValue(override.env ?? {}, makeResolver(scope), ['perChannel', channel.name, 'env'], serviceEnvProblems);
    reportService(serviceEnvProblems, (path) => path);

    const env = stringValues({ ...(channelEnv as JsonObject), ...(serviceEnv as JsonObject), ...(overrideEnv as JsonObject) });
    const state: Omit<CompiledChannelState, 'digest'> = {
      application: app.name,
      service: service.name,
      channel: channel.name,
      runtime: runtime.name,
      plugin: runtime.plugin,
      dependsOn: [...(channel.dependsOn ?? [])],
      gates,
      params: { ...params.values },
      spec,
      env,
      progressDeadlineMs: progressDeadlineMs ?? 0,
    };
    const stabilization = service.stabilizationWindow ?? channel.stabilizationWindow;
    if (stabilization !== undefined) {
      const ms = parseDuration(stabilization);
      if (ms === undefined) {
        const where = service.stabilizationWindow !== undefined ? onService('stabilizationWindow') : onApp(formatPath([...at, 'stabilizationWindow']));
        diagnostics.push(diagnostic('SCHEMA_VIOLATION', `invalid duration "${stabilization}": ${DURATION_HELP}`, where));
      } else state.stabilizationMs = ms;
    }
    const rollout = service.rollout ?? channel.rollout;
    if (rollout) {
      const problems: StepProblem[] = [];
      const steps = compileSteps(rollout, spec, problems);
      const where = service.rollout ? (p: PathSegment[]) => onService(formatPath(['rollout', ...p])) : (p: PathSegment[]) => onApp(formatPath([...at, 'rollout', ...p]));
      for (const p of problems) diagnostics.push(diagnostic('SCHEMA_VIOLATION', `${p.text}${inChannel}`, where(p.path)));
      if (steps.length > 1) state.rollout = { steps };
    }
    const digest = contentDigest({ runtime: state.runtime, plugin: state.plugin, spec, env, params: state.params });
    states.push({ ...state, digest });
  }

  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, value: states, diagnostics: [] };
}

/** Env is strings only: a single-expression value such as "{{ constants.port }}" renders to a number. */
function stringValues(env: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}

function hasPath(value: JsonValue | undefined, path: PathSegment[]): boolean {
  let node: unknown = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node !== undefined;
}
