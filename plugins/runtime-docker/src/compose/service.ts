/**
 * One compose service → the docker spec's fields. What compose can say and Driftless cannot do is
 * refused by name, all at once, with what to do instead; `compose.ignore` lists keys (dotted for
 * nested ones, e.g. "deploy.placement") to drop deliberately.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HealthFields, RestartPolicy, SpecFields, UpdateOrder } from '../fields.js';
import { durationNs, shellWords } from '../units.js';
import { parseEnvFile } from './env-file.js';
import { isObject, refuseUnknown, scalar, type MapContext } from './context.js';
import { ports, volumes } from './ports-volumes.js';

const SUPPORTED = new Set([
  'image', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'volumes', 'healthcheck', 'deploy', 'restart', 'labels',
  'network_mode', 'networks', 'stop_grace_period', 'user', 'working_dir', 'init', 'mem_limit', 'cpus', 'scale', 'expose',
]);

export function mapService(s: Record<string, unknown>, ctx: MapContext): SpecFields {
  const at = `services.${ctx.service}`;
  refuseUnknown(s, SUPPORTED, at, ctx);
  const f: SpecFields = {};
  if (s.image !== undefined) {
    if (typeof s.image !== 'string' || s.image === '') ctx.fail(`${at}.image`, 'must be an image reference');
    f.image = s.image as string;
  }
  const args = words(s.command, `${at}.command`, ctx);
  if (args) f.args = args;
  const command = words(s.entrypoint, `${at}.entrypoint`, ctx);
  if (command) f.command = command;
  const env = { ...envFiles(s.env_file, `${at}.env_file`, ctx), ...environment(s.environment, `${at}.environment`, ctx) };
  if (Object.keys(env).length > 0) f.env = env;
  if (s.ports !== undefined) f.ports = ports(s.ports, `${at}.ports`, ctx);
  if (s.volumes !== undefined) f.volumes = volumes(s.volumes, `${at}.volumes`, ctx);
  if (s.healthcheck !== undefined) f.healthcheck = healthcheck(s.healthcheck, `${at}.healthcheck`, ctx);
  if (s.labels !== undefined) f.labels = keyValues(s.labels, `${at}.labels`, ctx);
  const network = networkOf(s, at, ctx);
  if (network) f.network = network;
  if (s.stop_grace_period !== undefined) f.stopTimeoutSeconds = seconds(s.stop_grace_period, `${at}.stop_grace_period`, ctx);
  if (s.user !== undefined) f.user = String(s.user);
  if (s.working_dir !== undefined) f.workingDir = String(s.working_dir);
  if (s.init !== undefined) f.init = s.init === true;
  if (s.restart !== undefined) f.restart = restart(s.restart, `${at}.restart`, ctx);
  if (s.scale !== undefined) f.replicas = count(s.scale, `${at}.scale`, ctx);
  const resources: { cpus?: number; memory?: string | number } = {};
  if (s.cpus !== undefined) resources.cpus = Number(s.cpus);
  if (s.mem_limit !== undefined) resources.memory = s.mem_limit as string | number;
  if (s.deploy !== undefined) deploy(s.deploy, `${at}.deploy`, ctx, f, resources);
  if (Object.keys(resources).length > 0) f.resources = resources;
  return f;
}

function words(value: unknown, at: string, ctx: MapContext): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return shellWords(value) ?? ctx.fail(at, 'has an unclosed quote');
  if (Array.isArray(value) && value.every(scalar)) return value.map(String);
  return ctx.fail(at, 'must be a command line or a list of words');
}

function keyValues(value: unknown, at: string, ctx: MapContext): Record<string, string> {
  if (Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const [i, item] of value.entries()) {
      if (typeof item !== 'string') ctx.fail(`${at}[${i}]`, 'must be "NAME=value"');
      const eq = (item as string).indexOf('=');
      out[eq < 0 ? (item as string) : (item as string).slice(0, eq)] = eq < 0 ? '' : (item as string).slice(eq + 1);
    }
    return out;
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null || v === undefined ? '' : scalar(v) ? String(v) : ctx.fail(`${at}.${k}`, 'must be a string')]));
  }
  return ctx.fail(at, 'must be a map or a list of "NAME=value"');
}

function environment(value: unknown, at: string, ctx: MapContext): Record<string, string> {
  if (value === undefined) return {};
  const out: Record<string, string> = {};
  const fromVars = (name: string, where: string) =>
    ctx.vars[name] ?? ctx.fail(where, `${name} has no value here and is not in spec.compose.variables or the .env file`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item !== 'string') ctx.fail(`${at}[${i}]`, 'must be "NAME=value" or "NAME"');
      const eq = (item as string).indexOf('=');
      if (eq < 0) out[item as string] = fromVars(item as string, `${at}[${i}]`);
      else out[(item as string).slice(0, eq)] = (item as string).slice(eq + 1);
    });
    return out;
  }
  if (!isObject(value)) ctx.fail(at, 'must be a map or a list of "NAME=value"');
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) out[k] = fromVars(k, `${at}.${k}`);
    else if (scalar(v)) out[k] = String(v);
    else ctx.fail(`${at}.${k}`, 'must be a string');
  }
  return out;
}

function envFiles(value: unknown, at: string, ctx: MapContext): Record<string, string> {
  if (value === undefined) return {};
  const list = Array.isArray(value) ? value : [value];
  const out: Record<string, string> = {};
  list.forEach((item, i) => {
    const where = Array.isArray(value) ? `${at}[${i}]` : at;
    const file = typeof item === 'string' ? item : isObject(item) && typeof item.path === 'string' ? item.path : ctx.fail(where, 'must be a file path');
    const required = !(isObject(item) && item.required === false);
    const full = path.resolve(ctx.dir, file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (err) {
      if (!required) return;
      return ctx.fail(where, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    Object.assign(out, parseEnvFile(text, file, ctx.fail));
  });
  return out;
}

function healthcheck(value: unknown, at: string, ctx: MapContext): HealthFields {
  if (!isObject(value)) return ctx.fail(at, 'must be a map');
  refuseUnknown(value, new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']), at, ctx);
  if (value.disable === true) return { disable: true };
  const h: HealthFields = {};
  if (value.test !== undefined) {
    const test = value.test;
    if (Array.isArray(test) && test[0] === 'NONE') return { disable: true };
    if (typeof test === 'string') h.test = test;
    else if (Array.isArray(test) && test.every(scalar) && test.length > 0) h.test = test.map(String);
    else ctx.fail(`${at}.test`, 'must be a command line or ["CMD", ...] / ["CMD-SHELL", "..."]');
  }
  for (const [from, to] of [['interval', 'interval'], ['timeout', 'timeout'], ['start_period', 'startPeriod']] as const) {
    const v = value[from];
    if (v === undefined) continue;
    if ((typeof v !== 'string' && typeof v !== 'number') || durationNs(v) === undefined) ctx.fail(`${at}.${from}`, `"${v}" is not a duration like "10s" or "1m30s"`);
    h[to] = v as string | number;
  }
  if (value.retries !== undefined) h.retries = count(value.retries, `${at}.retries`, ctx);
  return h;
}

function networkOf(s: Record<string, unknown>, at: string, ctx: MapContext): string {
  const mode = s.network_mode;
  if (mode !== undefined) {
    if (s.networks !== undefined) ctx.fail(at, 'network_mode and networks cannot both be given');
    if (mode === 'host' || mode === 'bridge' || mode === 'none') return mode;
    return ctx.fail(`${at}.network_mode`, `"${mode}" is not supported (host, bridge, none; or a network under networks)`);
  }
  if (s.networks === undefined) return networkName('default', `${at}.networks`, ctx);
  const entries = Array.isArray(s.networks) ? s.networks.map((n) => [n, null] as const) : isObject(s.networks) ? Object.entries(s.networks) : ctx.fail(`${at}.networks`, 'must be a list or a map');
  if (entries.length !== 1) ctx.fail(`${at}.networks`, `joins ${entries.length} networks; the docker runtime plugin attaches one`);
  const [name, options] = entries[0]!;
  if (typeof name !== 'string') return ctx.fail(`${at}.networks`, 'must name a network');
  if (isObject(options) && Object.keys(options).length > 0) ctx.fail(`${at}.networks.${name}`, `network options (${Object.keys(options).join(', ')}) are not supported`);
  return networkName(name, `${at}.networks`, ctx);
}

/** A network as compose names it on the host: `<project>_<name>`, unless declared external or named. */
function networkName(name: string, where: string, ctx: MapContext): string {
  const decl = ctx.top.networks[name];
  if (name !== 'default' && decl === undefined && !(name in ctx.top.networks)) ctx.fail(where, `uses network "${name}", which the top-level \`networks:\` does not declare`);
  if (isObject(decl) && typeof decl.name === 'string') return decl.name;
  if (isObject(decl) && decl.external) return name;
  return `${ctx.project}_${name}`;
}

function seconds(value: unknown, at: string, ctx: MapContext): number {
  const ns = typeof value === 'string' || typeof value === 'number' ? durationNs(value) : undefined;
  return ns === undefined ? ctx.fail(at, `"${value}" is not a duration like "10s"`) : ns / 1e9;
}

function count(value: unknown, at: string, ctx: MapContext): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : ctx.fail(at, 'must be an integer >= 0');
}

function restart(value: unknown, at: string, ctx: MapContext): RestartPolicy {
  if (value === 'no' || value === 'always' || value === 'on-failure' || value === 'unless-stopped') return value;
  if (value === false) return 'no';
  return ctx.fail(at, `"${value}" is not supported (no, always, on-failure, unless-stopped; no retry limit)`);
}

function deploy(value: unknown, at: string, ctx: MapContext, f: SpecFields, resources: { cpus?: number; memory?: string | number }): void {
  if (!isObject(value)) ctx.fail(at, 'must be a map');
  const d = value as Record<string, unknown>;
  refuseUnknown(d, new Set(['replicas', 'resources', 'update_config', 'restart_policy']), at, ctx);
  if (d.replicas !== undefined) f.replicas = count(d.replicas, `${at}.replicas`, ctx);
  if (d.resources !== undefined) {
    if (!isObject(d.resources)) ctx.fail(`${at}.resources`, 'must be a map');
    const r = d.resources as Record<string, unknown>;
    refuseUnknown(r, new Set(['limits']), `${at}.resources`, ctx);
    if (r.limits !== undefined) {
      if (!isObject(r.limits)) ctx.fail(`${at}.resources.limits`, 'must be a map');
      const limits = r.limits as Record<string, unknown>;
      refuseUnknown(limits, new Set(['cpus', 'memory']), `${at}.resources.limits`, ctx);
      if (limits.cpus !== undefined) resources.cpus = Number(limits.cpus);
      if (limits.memory !== undefined) resources.memory = limits.memory as string | number;
    }
  }
  if (d.update_config !== undefined) {
    if (!isObject(d.update_config)) ctx.fail(`${at}.update_config`, 'must be a map');
    const u = d.update_config as Record<string, unknown>;
    refuseUnknown(u, new Set(['order', 'parallelism']), `${at}.update_config`, ctx);
    const order = u.order === undefined ? 'stop-first' : u.order; // compose's (swarm's) default
    if (order !== 'start-first' && order !== 'stop-first') ctx.fail(`${at}.update_config.order`, 'must be start-first or stop-first');
    const parallelism = u.parallelism === undefined ? 1 : count(u.parallelism, `${at}.update_config.parallelism`, ctx) || 1;
    f.update = order === 'start-first' ? { order: order as UpdateOrder, maxSurge: parallelism, maxUnavailable: 0 } : { order: order as UpdateOrder, maxSurge: 0, maxUnavailable: parallelism };
  }
  if (d.restart_policy !== undefined) {
    if (!isObject(d.restart_policy)) ctx.fail(`${at}.restart_policy`, 'must be a map');
    const rp = d.restart_policy as Record<string, unknown>;
    refuseUnknown(rp, new Set(['condition']), `${at}.restart_policy`, ctx);
    const map: Record<string, RestartPolicy> = { none: 'no', 'on-failure': 'on-failure', any: 'always' };
    const policy = map[String(rp.condition ?? 'any')];
    if (!policy) ctx.fail(`${at}.restart_policy.condition`, 'must be none, on-failure or any');
    f.restart = policy;
  }
}
