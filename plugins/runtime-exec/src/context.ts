/**
 * What a user command learns about the call: environment variables and a JSON context file.
 *
 * The context file lives in a fresh private directory (0700, file 0600) and is removed when the
 * command is done. It holds the instance identity and the target only, never the runtime config:
 * secrets reach commands through their environment and nowhere else.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InstanceIdentity, TargetState } from '@driftless/plugin-sdk';
import type { ExecConfig, ExecSpec } from './schema.js';

export type Hook = 'fetch' | 'apply' | 'delete';

/** Server variables a command needs to work at all; the rest of the server's environment stays out. */
const PASSED_THROUGH = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL'];

export interface CommandContext {
  env: Record<string, string>;
  /** Values to scrub from anything the command prints. */
  secrets: string[];
  contextFile: string;
  /** Removes the context file and its directory. */
  cleanup(): Promise<void>;
}

/** `DRIFTLESS_PARAM_<NAME>`: the parameter name upper-cased, anything but letters and digits as `_`. */
export function paramVariable(name: string): string {
  return `DRIFTLESS_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function driftlessVariables(hook: Hook, instance: InstanceIdentity, target: TargetState | undefined, contextFile: string): Record<string, string> {
  const vars: Record<string, string> = {
    DRIFTLESS_HOOK: hook,
    DRIFTLESS_APPLICATION: instance.application,
    DRIFTLESS_CHANNEL: instance.channel,
    DRIFTLESS_SERVICE: instance.service,
    DRIFTLESS_RUNTIME: instance.runtime,
    DRIFTLESS_INSTANCE_ID: instance.instanceId,
    DRIFTLESS_CONTEXT_FILE: contextFile,
  };
  if (target) {
    vars.DRIFTLESS_RELEASE = target.releaseId;
    vars.DRIFTLESS_VERSION = target.version;
    vars.DRIFTLESS_DIGEST = target.digest;
    for (const [name, value] of Object.entries(target.params)) vars[paramVariable(name)] = String(value);
  }
  return vars;
}

/**
 * Environment, lowest precedence first: the server's basics, the channel env of the target, the
 * runtime's env, the spec's env, the runtime's secret env, then DRIFTLESS_* (never overridable).
 */
export function commandEnv(config: ExecConfig | undefined, spec: ExecSpec, target: TargetState | undefined, driftless: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...(target?.env ?? {}), ...(config?.env ?? {}), ...spec.env, ...(config?.secretEnv ?? {}), ...driftless };
}

export async function prepareContext(
  hook: Hook,
  opts: { config: ExecConfig | undefined; spec: ExecSpec; instance: InstanceIdentity; target?: TargetState; dataDir?: string },
): Promise<CommandContext> {
  const parent = opts.dataDir ? path.join(opts.dataDir, 'tmp') : os.tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, 'driftless-exec-'));
  const contextFile = path.join(dir, 'context.json');
  const { target } = opts;
  const body = {
    hook,
    instance: opts.instance,
    target: target
      ? { releaseId: target.releaseId, version: target.version, params: target.params, spec: target.spec, env: target.env, digest: target.digest }
      : null,
  };
  await writeFile(contextFile, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  const env = commandEnv(opts.config, opts.spec, target, driftlessVariables(hook, opts.instance, target, contextFile));
  return {
    env,
    secrets: Object.values(opts.config?.secretEnv ?? {}),
    contextFile,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
