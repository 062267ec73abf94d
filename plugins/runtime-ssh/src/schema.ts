import type { JsonSchema } from '@driftless/plugin-sdk';

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_BASE_DIR = '.driftless';
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 30;
export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const envMap = { type: 'object', propertyNames: { pattern: ENV_NAME }, additionalProperties: { type: 'string' } };
const labels = { type: 'object', additionalProperties: { type: 'string' } };

/** Runtime `config` of an ssh Runtime. `privateKey` and `passphrase` are secrets: redacted on read. */
export const configSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['hosts', 'user', 'privateKey'],
  properties: {
    hosts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address'],
        properties: {
          address: { type: 'string', minLength: 1, description: 'Host name or IP address to connect to.' },
          port: { type: 'integer', minimum: 1, maximum: 65535, default: DEFAULT_SSH_PORT },
          name: { type: 'string', minLength: 1, description: 'Name in observed state and messages. Default: address, or address:port when the port is not 22.' },
          labels: { ...labels, description: 'Matched by a service spec `hostSelector`.' },
          baseDir: { type: 'string', minLength: 1, description: 'Remote state directory for this host (default: the runtime `baseDir`).' },
          env: { ...envMap, description: 'Environment for processes on this host only (wins over the service env).' },
        },
      },
    },
    user: { type: 'string', minLength: 1 },
    privateKey: { type: 'string', minLength: 1, 'x-secret': true, description: 'PEM or OpenSSH private key text. Never logged; redacted on read.' },
    passphrase: { type: 'string', 'x-secret': true, description: 'Passphrase of an encrypted privateKey.' },
    knownHosts: { type: 'string', description: 'OpenSSH known_hosts text the host keys must match.' },
    hostKeyFingerprints: {
      type: 'array',
      items: { type: 'string', pattern: '^SHA256:[A-Za-z0-9+/]{43}=?$' },
      description: 'Accepted host key fingerprints (`ssh-keygen -lf`, SHA256:...).',
    },
    strictHostKeyChecking: {
      type: 'boolean',
      default: true,
      description: 'false accepts any host key (tests only). Otherwise knownHosts or hostKeyFingerprints is required.',
    },
    connectTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 300, default: DEFAULT_CONNECT_TIMEOUT_SECONDS },
    baseDir: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_BASE_DIR,
      description: "Remote state directory; relative paths are below the user's home. Holds <application>/<channel>/<service>/.",
    },
  },
};

/** A Service's rendered `spec` for the ssh runtime. */
export const specSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['start'],
  properties: {
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: { type: 'string', minLength: 1, description: 'Remote path relative to the release directory.' },
          content: { type: 'string' },
          source: { type: 'string', minLength: 1, description: 'Local file to upload (relative to the server cwd).' },
          mode: { type: 'string', pattern: '^0?[0-7]{3}$', description: 'Octal permissions, e.g. "0755". Default "0644".' },
        },
      },
    },
    start: { type: 'string', minLength: 1, description: 'Shell command started in the background in the release directory.' },
    stop: { type: 'string', minLength: 1, description: 'Shell command run before the process group gets SIGTERM.' },
    env: envMap,
    healthCheck: {
      type: 'object',
      additionalProperties: false,
      properties: {
        command: { type: 'string', minLength: 1, description: 'Healthy when it exits 0 (runs in the release directory).' },
        http: {
          type: 'object',
          additionalProperties: false,
          required: ['port'],
          properties: {
            port: {
              oneOf: [
                { type: 'integer', minimum: 1, maximum: 65535 },
                { type: 'string', pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*$', description: 'An env var of the process, e.g. "$PORT".' },
              ],
            },
            path: { type: 'string', pattern: '^/', default: '/' },
          },
        },
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_HEALTH_TIMEOUT_SECONDS },
      },
    },
    maxUnavailable: { type: 'integer', minimum: 1, default: 1, description: 'Hosts updated at once.' },
    hostSelector: { ...labels, description: 'Only hosts whose labels include all of these.' },
    stopTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_STOP_TIMEOUT_SECONDS },
  },
};
