import path from 'node:path';
import { TerminalError, type JsonSchema } from '@driftless/plugin-sdk';

/** Runtime `config` of a process Runtime. */
export interface ProcessConfig {
  /** Where replica records and logs live. Relative paths resolve against the server's cwd. */
  stateDir?: string;
  /** Older name for stateDir, used by the DESIGN.md example (`config: { workdir: .driftless/run }`). */
  workdir?: string;
  /** OS account (name or uid) replicas run as. Default: `nobody` when the server runs as root, else the server's own. */
  user?: string | number;
  /** Group (name or gid); default: the user's primary group. */
  group?: string | number;
}

export interface HealthCheck {
  path: string;
  timeoutSeconds: number;
}

/** A Service `spec` after defaults: what one replica is started with. */
export interface ProcessSpec {
  command: string;
  args: string[];
  /** Absolute. */
  cwd: string;
  env: Record<string, string>;
  replicas: number;
  basePort?: number;
  healthCheck?: HealthCheck;
}

export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 30;

export const configSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    stateDir: {
      type: 'string',
      minLength: 1,
      description: 'Directory for replica records and logs. Default: $DRIFTLESS_DATA_DIR/run, else .driftless/run.',
    },
    workdir: { type: 'string', minLength: 1, description: 'Alias of stateDir (stateDir wins).' },
    user: {
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'integer', minimum: 0 },
      ],
      description: 'OS account (name or uid) replicas run as. Default: nobody when the server runs as root, else the server user (only root can switch).',
    },
    group: {
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'integer', minimum: 0 },
      ],
      description: "Group (name or gid) replicas run as. Default: the user's primary group.",
    },
  },
};

export const specSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['command'],
  properties: {
    command: { type: 'string', minLength: 1, description: 'Executable, looked up on PATH when not a path.' },
    args: { type: 'array', items: { type: 'string' } },
    cwd: { type: 'string', minLength: 1, description: 'Working directory, relative to the server cwd.' },
    env: { type: 'object', additionalProperties: { type: 'string' } },
    replicas: { type: 'integer', minimum: 0, default: 1 },
    basePort: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: 'Replica i gets PORT=basePort+i. Without it every replica gets a free port.',
    },
    healthCheck: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', pattern: '^/' },
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_HEALTH_TIMEOUT_SECONDS },
      },
    },
  },
};

/** The state directory a config names, absolute. */
export function resolveStateDir(config: ProcessConfig | undefined, dataDir?: string): string {
  const configured = config?.stateDir ?? config?.workdir;
  const fallback = path.join(dataDir ?? process.env.DRIFTLESS_DATA_DIR ?? '.driftless', 'run');
  return path.resolve(process.cwd(), configured ?? fallback);
}

/**
 * Applies defaults and re-checks the shape. The host validates against specSchema first, but a
 * plugin must not trust that: a malformed spec is a TerminalError (retrying cannot fix it).
 */
export function parseSpec(raw: Record<string, unknown>): ProcessSpec {
  const fail = (msg: string): never => {
    throw new TerminalError(`invalid process spec: ${msg}`);
  };
  const { command, args = [], cwd, env = {}, replicas = 1, basePort, healthCheck } = raw;
  if (typeof command !== 'string' || command.length === 0) fail('command must be a non-empty string');
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) fail('args must be an array of strings');
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd.length === 0)) fail('cwd must be a non-empty string');
  if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string')) {
    fail('env must map names to strings');
  }
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) fail('replicas must be an integer >= 0');
  if (basePort !== undefined) {
    if (typeof basePort !== 'number' || !Number.isInteger(basePort) || basePort < 1 || basePort > 65535) {
      fail('basePort must be an integer between 1 and 65535');
    }
    if ((basePort as number) + (replicas as number) - 1 > 65535) fail('basePort + replicas - 1 exceeds 65535');
  }
  let check: HealthCheck | undefined;
  if (healthCheck !== undefined) {
    const hc = healthCheck as Record<string, unknown>;
    if (typeof hc !== 'object' || hc === null || typeof hc.path !== 'string' || !hc.path.startsWith('/')) {
      fail('healthCheck.path must be a string starting with "/"');
    }
    const timeout = hc.timeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS;
    if (typeof timeout !== 'number' || !(timeout > 0)) fail('healthCheck.timeoutSeconds must be a positive number');
    check = { path: hc.path as string, timeoutSeconds: timeout as number };
  }
  return {
    command: command as string,
    args: args as string[],
    cwd: path.resolve(process.cwd(), (cwd as string | undefined) ?? '.'),
    env: { ...(env as Record<string, string>) },
    replicas: replicas as number,
    ...(basePort !== undefined ? { basePort: basePort as number } : {}),
    ...(check ? { healthCheck: check } : {}),
  };
}
