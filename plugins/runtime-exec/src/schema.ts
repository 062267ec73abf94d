import path from 'node:path';
import { TerminalError, type JsonSchema, type ValidationIssue } from '@driftless/plugin-sdk';

/** Runtime `config` of an exec Runtime. */
export interface ExecConfig {
  /** Directory the commands run in (a spec's `cwd` is relative to it). Default: the server's cwd. */
  workdir?: string;
  /** Where the plugin remembers what it applied (for `delete`). Default: $dataDir/exec. */
  stateDir?: string;
  /** Environment for every command of this runtime. */
  env?: Record<string, string>;
  /** Like env, but the values are secrets: redacted on read, scrubbed from output, never logged. */
  secretEnv?: Record<string, string>;
}

/** argv (no shell) or one string run with `/bin/sh -c`. */
export type Command = string[] | string;

export interface FetchStep {
  command: Command;
  mode: 'exitCode' | 'structured';
  timeoutSeconds: number;
}

export interface ApplyStep {
  command: Command;
  timeoutSeconds: number;
  retryableExitCodes: number[];
}

export interface DeleteStep {
  command: Command;
  timeoutSeconds: number;
}

/** A Service `spec` after defaults. */
export interface ExecSpec {
  fetch: FetchStep;
  apply: ApplyStep;
  delete?: DeleteStep;
  cwd?: string;
  env: Record<string, string>;
  vars?: Record<string, unknown>;
}

export const DEFAULT_FETCH_TIMEOUT_SECONDS = 30;
export const DEFAULT_APPLY_TIMEOUT_SECONDS = 300;
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

const envMap = (description: string, secret = false): JsonSchema => ({
  type: 'object',
  description,
  propertyNames: { pattern: ENV_NAME },
  additionalProperties: secret ? { type: 'string', 'x-secret': true } : { type: 'string' },
});

export const configSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    workdir: { type: 'string', minLength: 1, description: "Commands' working directory, relative to the server cwd." },
    stateDir: { type: 'string', minLength: 1, description: 'Records of what was applied. Default: $DRIFTLESS_DATA_DIR/exec.' },
    env: envMap('Environment for every command of this runtime.'),
    secretEnv: envMap('Secret environment for every command: redacted on read, scrubbed from output.', true),
  },
};

const command: JsonSchema = {
  description: 'argv array (run without a shell) or a string (run with /bin/sh -c).',
  oneOf: [
    { type: 'array', minItems: 1, items: { type: 'string' } },
    { type: 'string', minLength: 1 },
  ],
};
const timeoutSeconds: JsonSchema = { type: 'number', exclusiveMinimum: 0, description: 'Kill the command (its whole process group) after this long.' };

export const specSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['fetch', 'apply'],
  properties: {
    fetch: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: {
        command,
        mode: { enum: ['exitCode', 'structured'], default: 'exitCode', description: 'exitCode: 0 converged, 2 needs apply. structured: stdout is ObservedState JSON.' },
        timeoutSeconds: { ...timeoutSeconds, default: DEFAULT_FETCH_TIMEOUT_SECONDS },
      },
    },
    apply: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: {
        command,
        timeoutSeconds: { ...timeoutSeconds, default: DEFAULT_APPLY_TIMEOUT_SECONDS },
        retryableExitCodes: { type: 'array', uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 255 } },
      },
    },
    delete: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: { command, timeoutSeconds: { ...timeoutSeconds, default: DEFAULT_APPLY_TIMEOUT_SECONDS } },
    },
    cwd: { type: 'string', minLength: 1, description: 'Working directory, relative to the runtime workdir.' },
    env: envMap('Environment for this service\'s commands (names starting with DRIFTLESS_ are reserved).'),
    vars: { type: 'object', description: 'Free-form data for the commands (e.g. Terraform variables), in the context file.' },
  },
};

/** Every problem of a raw spec, with paths. The host validated the schema; this re-checks and adds rules. */
export function specIssues(raw: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (p: string, message: string) => issues.push({ path: p, message });
  if (!isObject(raw)) return [{ path: '', message: 'spec must be an object' }];
  for (const hook of ['fetch', 'apply', 'delete'] as const) {
    const step = raw[hook];
    if (step === undefined && hook === 'delete') continue;
    if (!isObject(step)) {
      add(`/${hook}`, `${hook} must be an object with a command`);
      continue;
    }
    const c = step.command;
    const okCommand = (typeof c === 'string' && c.trim() !== '') || (Array.isArray(c) && c.length > 0 && c.every((a) => typeof a === 'string') && c[0] !== '');
    if (!okCommand) add(`/${hook}/command`, 'must be a non-empty argv array of strings or a non-empty shell string');
    const t = step.timeoutSeconds;
    if (t !== undefined && !(typeof t === 'number' && t > 0)) add(`/${hook}/timeoutSeconds`, 'must be a number > 0');
  }
  const mode = isObject(raw.fetch) ? raw.fetch.mode : undefined;
  if (mode !== undefined && mode !== 'exitCode' && mode !== 'structured') add('/fetch/mode', 'must be "exitCode" or "structured"');
  const codes = isObject(raw.apply) ? raw.apply.retryableExitCodes : undefined;
  if (codes !== undefined && !(Array.isArray(codes) && codes.every((n) => Number.isInteger(n) && n >= 1 && n <= 255))) {
    add('/apply/retryableExitCodes', 'must be an array of exit codes between 1 and 255');
  }
  if (raw.cwd !== undefined && (typeof raw.cwd !== 'string' || raw.cwd === '')) add('/cwd', 'must be a non-empty string');
  if (raw.vars !== undefined && !isObject(raw.vars)) add('/vars', 'must be an object');
  if (raw.env !== undefined) {
    if (!isObject(raw.env)) add('/env', 'must map names to strings');
    else {
      for (const [name, value] of Object.entries(raw.env)) {
        if (!new RegExp(ENV_NAME).test(name)) add(`/env/${name}`, 'is not a valid environment variable name');
        else if (name.startsWith('DRIFTLESS_')) add(`/env/${name}`, 'DRIFTLESS_* names are reserved for the context the plugin passes');
        else if (typeof value !== 'string') add(`/env/${name}`, 'must be a string');
      }
    }
  }
  return issues;
}

/** Applies defaults. A malformed spec is a TerminalError: retrying cannot fix it. */
export function parseSpec(raw: Record<string, unknown>): ExecSpec {
  const issues = specIssues(raw);
  if (issues.length > 0) {
    throw new TerminalError(`invalid exec spec: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
  }
  const f = raw.fetch as Record<string, unknown>;
  const a = raw.apply as Record<string, unknown>;
  const d = raw.delete as Record<string, unknown> | undefined;
  return {
    fetch: {
      command: f.command as Command,
      mode: (f.mode as FetchStep['mode'] | undefined) ?? 'exitCode',
      timeoutSeconds: (f.timeoutSeconds as number | undefined) ?? DEFAULT_FETCH_TIMEOUT_SECONDS,
    },
    apply: {
      command: a.command as Command,
      timeoutSeconds: (a.timeoutSeconds as number | undefined) ?? DEFAULT_APPLY_TIMEOUT_SECONDS,
      retryableExitCodes: (a.retryableExitCodes as number[] | undefined) ?? [],
    },
    ...(d ? { delete: { command: d.command as Command, timeoutSeconds: (d.timeoutSeconds as number | undefined) ?? DEFAULT_APPLY_TIMEOUT_SECONDS } } : {}),
    ...(raw.cwd !== undefined ? { cwd: raw.cwd as string } : {}),
    env: { ...((raw.env as Record<string, string> | undefined) ?? {}) },
    ...(raw.vars !== undefined ? { vars: raw.vars as Record<string, unknown> } : {}),
  };
}

/** Where commands of this spec run: spec cwd, relative to the runtime workdir, relative to the server cwd. */
export function resolveCwd(config: ExecConfig | undefined, spec: ExecSpec): string {
  const base = path.resolve(process.cwd(), config?.workdir ?? '.');
  return path.resolve(base, spec.cwd ?? '.');
}

export function resolveStateDir(config: ExecConfig | undefined, dataDir?: string): string {
  const fallback = path.join(dataDir ?? process.env.DRIFTLESS_DATA_DIR ?? '.driftless', 'exec');
  return path.resolve(process.cwd(), config?.stateDir ?? fallback);
}

/** How a command reads in messages: argv joined with spaces, or the shell string. */
export function describeCommand(c: Command): string {
  const text = Array.isArray(c) ? c.join(' ') : c;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
