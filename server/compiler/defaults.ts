/**
 * Schema-valid documents → typed documents with every optional field filled in, so the rest of
 * the system never has to guess what an absent field means. Keep these defaults in step with the
 * `default` annotations in schema/config.schema.json (a test checks that they agree).
 */
import type {
  ApplicationDoc,
  ChannelDoc,
  ChannelGroupDoc,
  ChannelOverride,
  GateDoc,
  JsonObject,
  NotifierDoc,
  ParameterDecl,
  RuntimeDoc,
  Scalar,
  ServiceDoc,
} from './types.js';

export const DEFAULT_PROGRESS_DEADLINE = '10m';

type Raw = Record<string, unknown>;

/** Env and label values may be written as numbers or booleans; they are strings from here on. */
function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries((value as Raw | undefined) ?? {})) out[key] = String(item);
  return out;
}

export function runtimeWithDefaults(raw: Raw): RuntimeDoc {
  return {
    kind: 'Runtime',
    name: raw.name as string,
    plugin: raw.plugin as string,
    config: (raw.config as JsonObject | undefined) ?? {},
    labels: stringMap(raw.labels),
    ...(raw.maxConcurrentRollouts !== undefined ? { maxConcurrentRollouts: raw.maxConcurrentRollouts as number } : {}),
    ...(raw.constants !== undefined ? { constants: { ...(raw.constants as Record<string, Scalar>) } } : {}),
    ...(raw.allowedApplications !== undefined ? { allowedApplications: [...(raw.allowedApplications as string[])] } : {}),
  };
}

function channelWithDefaults(raw: Raw): ChannelDoc {
  return {
    name: raw.name as string,
    runtime: raw.runtime as string,
    dependsOn: [...((raw.dependsOn as string[] | undefined) ?? [])],
    constants: { ...((raw.constants as Record<string, Scalar> | undefined) ?? {}) },
    env: stringMap(raw.env),
    gates: [...((raw.gates as GateDoc[] | undefined) ?? [])],
    ...(raw.stabilizationWindow !== undefined ? { stabilizationWindow: raw.stabilizationWindow as string } : {}),
    // Absent stays absent (the default, latest): documents written before it digest as they did.
    ...(raw.releasePolicy !== undefined ? { releasePolicy: raw.releasePolicy as ChannelDoc['releasePolicy'] } : {}),
    ...(raw.maxParallel !== undefined ? { maxParallel: raw.maxParallel as number } : {}),
    ...(raw.rollout !== undefined ? { rollout: raw.rollout as ChannelDoc['rollout'] } : {}),
  };
}

export function applicationWithDefaults(raw: Raw): ApplicationDoc {
  const groups = raw.releaseChannelGroups as Raw[] | undefined;
  return {
    kind: 'Application',
    name: raw.name as string,
    releaseChannels: ((raw.releaseChannels as Raw[] | undefined) ?? []).map(channelWithDefaults),
    // Absent stays absent: documents written before groups digest as they did.
    ...(groups !== undefined ? { releaseChannelGroups: groups.map(groupWithDefaults) } : {}),
  };
}

function groupWithDefaults(raw: Raw): ChannelGroupDoc {
  const { name: _name, runtime: _runtime, ...channel } = channelWithDefaults({ ...raw, runtime: '' });
  return { ...channel, name: raw.name as string, runtimes: stringMap(raw.runtimes) };
}

function parameterWithDefaults(raw: Raw): ParameterDecl {
  const decl: ParameterDecl = {
    name: raw.name as string,
    type: (raw.type as ParameterDecl['type'] | undefined) ?? 'string',
    required: (raw.required as boolean | undefined) ?? false,
  };
  if (raw.default !== undefined) decl.default = raw.default as string | number;
  if (raw.description !== undefined) decl.description = raw.description as string;
  return decl;
}

function overrideWithDefaults(raw: Raw | null | undefined): ChannelOverride {
  const override: ChannelOverride = {};
  if (raw?.spec !== undefined) override.spec = raw.spec as JsonObject;
  if (raw?.env !== undefined) override.env = stringMap(raw.env);
  return override;
}

export function serviceWithDefaults(raw: Raw): ServiceDoc {
  const perChannel: Record<string, ChannelOverride> = {};
  for (const [channel, override] of Object.entries((raw.perChannel as Record<string, Raw> | undefined) ?? {})) {
    perChannel[channel] = overrideWithDefaults(override);
  }
  return {
    kind: 'Service',
    name: raw.name as string,
    application: raw.application as string,
    parameters: ((raw.parameters as Raw[] | undefined) ?? []).map(parameterWithDefaults),
    spec: (raw.spec as JsonObject | undefined) ?? {},
    env: stringMap(raw.env),
    perChannel,
    progressDeadline: (raw.progressDeadline as string | undefined) ?? DEFAULT_PROGRESS_DEADLINE,
    ...(raw.dependsOn !== undefined ? { dependsOn: [...(raw.dependsOn as string[])] } : {}),
    ...(raw.rollout !== undefined ? { rollout: raw.rollout as ServiceDoc['rollout'] } : {}),
    ...(raw.stabilizationWindow !== undefined ? { stabilizationWindow: raw.stabilizationWindow as string } : {}),
  };
}

export function notifierWithDefaults(raw: Raw): NotifierDoc {
  const webhook = raw.webhook as { url: string; signingSecret?: string };
  const filters = (raw.filters as NotifierDoc['filters'] | undefined) ?? {};
  return {
    kind: 'Notifier',
    name: raw.name as string,
    webhook: { url: webhook.url, ...(webhook.signingSecret ? { signingSecret: webhook.signingSecret } : {}) },
    format: (raw.format as NotifierDoc['format'] | undefined) ?? 'json',
    filters: {
      ...(filters.applications ? { applications: filters.applications } : {}),
      ...(filters.channels ? { channels: filters.channels } : {}),
      ...(filters.events ? { events: filters.events } : {}),
    },
  };
}
