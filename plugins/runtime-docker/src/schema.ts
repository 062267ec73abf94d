import type { JsonSchema } from '@driftless/plugin-sdk';

export const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
export const DEFAULT_START_TIMEOUT_SECONDS = 60;

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const envMap = { type: 'object', propertyNames: { pattern: ENV_NAME }, additionalProperties: { type: 'string' } };
/** Docker's own duration notation as compose writes it ("30s", "1m30s", "500ms"), or seconds. */
const duration = {
  oneOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$' },
  ],
};

/** Runtime `config` of a docker Runtime. TLS client material and SSH keys are secrets (`x-secret`). */
export const configSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: {
      type: 'string',
      pattern: '^(unix://|tcp://|ssh://|/)',
      default: DEFAULT_ENDPOINT,
      description: 'unix:///path/docker.sock (or a bare socket path), tcp://host:port (TLS with `tls`), or ssh://user@host[:port] (runs `docker system dial-stdio` there).',
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['cert', 'key'],
      description: 'Client certificate for tcp:// endpoints (PEM text). Never logged; redacted on read.',
      properties: {
        ca: { type: 'string', minLength: 1, description: 'CA certificate(s) the daemon certificate must chain to. Default: the system CAs.' },
        cert: { type: 'string', minLength: 1, 'x-secret': true },
        key: { type: 'string', minLength: 1, 'x-secret': true },
      },
    },
    ssh: {
      type: 'object',
      additionalProperties: false,
      required: ['privateKey'],
      description: 'Credentials for ssh:// endpoints.',
      properties: {
        privateKey: { type: 'string', minLength: 1, 'x-secret': true },
        passphrase: { type: 'string', 'x-secret': true },
        hostKeyFingerprints: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^SHA256:[A-Za-z0-9+/]{43}=?$' },
          description: 'Accepted host key fingerprints (`ssh-keygen -lf`, SHA256:...).',
        },
        strictHostKeyChecking: { type: 'boolean', default: true, description: 'false accepts any host key (tests only); otherwise hostKeyFingerprints is required.' },
      },
    },
    requestTimeoutSeconds: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 600,
      default: DEFAULT_REQUEST_TIMEOUT_SECONDS,
      description: 'How long one Engine request may go unanswered (also the SSH handshake). Stopping a container gets its stop timeout on top; pulls are bounded by the call only.',
    },
    network: { type: 'string', minLength: 1, description: 'Network for services whose spec names none: "host", "bridge", "none" or a network name. Default: bridge.' },
    labels: { ...stringMap, description: 'Labels put on every container this runtime creates.' },
    probeHost: {
      type: 'string',
      minLength: 1,
      description: "Where the plugin's HTTP health probes connect. Default: 127.0.0.1 for a local socket, the endpoint's host otherwise.",
    },
    registryAuth: {
      type: 'object',
      description: 'Credentials for pulling, by registry host ("registry.example.com", "docker.io").',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'password'],
        properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', 'x-secret': true } },
      },
    },
  },
};

const port = {
  type: 'object',
  additionalProperties: false,
  required: ['hostPort'],
  properties: {
    hostPort: { type: 'integer', minimum: 1, maximum: 65535, description: 'Replica i gets hostPort + i (replicas never share a host port).' },
    containerPort: { type: 'integer', minimum: 1, maximum: 65535, description: 'Port inside the container (bridge or named networks). Default: the host port.' },
    protocol: { enum: ['tcp', 'udp'], default: 'tcp' },
    hostIp: { type: 'string', minLength: 1, description: 'Address the published port binds on the host (not on the host network).' },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', description: 'Exported to the container as PORT_<NAME>; the first port is also PORT.' },
  },
};

const volume = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    type: { enum: ['bind', 'volume', 'tmpfs'], description: 'Default: bind when source is a path, volume when it is a name.' },
    source: { type: 'string', minLength: 1, description: 'Host path (bind, relative to the server cwd) or volume name.' },
    target: { type: 'string', pattern: '^/', description: 'Path inside the container.' },
    readOnly: { type: 'boolean', default: false },
  },
};

const healthcheck = {
  type: 'object',
  additionalProperties: false,
  description: "Docker's own HEALTHCHECK (`test`), an HTTP probe the plugin makes (`http`), or `disable: true`. Without any: the image's HEALTHCHECK, else running counts as healthy.",
  properties: {
    test: {
      oneOf: [
        { type: 'string', minLength: 1, description: 'Shell command (CMD-SHELL).' },
        { type: 'array', minItems: 1, items: { type: 'string' }, description: 'Docker form: ["CMD", "wget", ...] or ["CMD-SHELL", "..."].' },
      ],
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string', pattern: '^/', default: '/' },
        port: {
          oneOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', minLength: 1 }],
          description: 'A ports entry: its name or its containerPort. Default: the first port.',
        },
      },
    },
    disable: { type: 'boolean' },
    interval: duration,
    timeout: duration,
    retries: { type: 'integer', minimum: 0 },
    startPeriod: duration,
  },
};

const labelSelector = { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } };

/** A Service's rendered `spec` for the docker runtime. */
export const specSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    image: { type: 'string', minLength: 1, description: 'Image reference; required unless `compose` gives one.' },
    pull: { enum: ['never', 'missing', 'always'], default: 'missing' },
    command: { type: 'array', items: { type: 'string' }, description: "Replaces the image's ENTRYPOINT (compose: entrypoint)." },
    args: { type: 'array', items: { type: 'string' }, description: "Replaces the image's CMD (compose: command)." },
    env: envMap,
    ports: { type: 'array', items: port },
    network: { type: 'string', minLength: 1, description: '"host", "bridge", "none" or a network name. Default: the runtime config network, else bridge.' },
    volumes: { type: 'array', items: volume },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cpus: { type: 'number', exclusiveMinimum: 0, description: 'CPU limit, e.g. 0.5.' },
        memory: {
          oneOf: [{ type: 'integer', minimum: 6291456 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*([kKmMgG]i?[bB]?|[bB])?$' }],
          description: 'Memory limit: bytes, or "256m", "1g", "512MiB".',
        },
      },
    },
    labels: stringMap,
    healthcheck,
    replicas: { type: 'integer', minimum: 0, default: 1 },
    update: {
      type: 'object',
      additionalProperties: false,
      properties: {
        order: { enum: ['start-first', 'stop-first'], default: 'start-first' },
        maxSurge: { type: 'integer', minimum: 0, description: 'Extra replicas allowed during a rollout. Default: 1 (start-first), 0 (stop-first).' },
        maxUnavailable: { type: 'integer', minimum: 0, description: 'Replicas that may be out of service during a rollout. Default: 0 (start-first), 1 (stop-first).' },
      },
    },
    restart: { enum: ['no', 'on-failure', 'always', 'unless-stopped'], default: 'no', description: "Docker's restart policy for each container." },
    stopTimeoutSeconds: { type: 'number', minimum: 0, default: DEFAULT_STOP_TIMEOUT_SECONDS },
    startTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_START_TIMEOUT_SECONDS, description: 'How long a new container may take to become healthy.' },
    user: { type: 'string', minLength: 1 },
    init: { type: 'boolean', description: 'Run an init as PID 1 (docker run --init): stop signals reach the service, zombies are reaped.' },
    workingDir: { type: 'string', pattern: '^/' },
    compose: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'service'],
      description: 'Take a service from an existing compose file as it is; the other spec fields apply on top.',
      properties: {
        file: { type: 'string', minLength: 1, description: 'Path of the compose file, relative to the server cwd.' },
        service: { type: 'string', minLength: 1 },
        project: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$', description: "Compose project name. Default: the file's `name`, else its directory's name." },
        variables: { ...stringMap, description: 'Values for ${VAR} in the compose file (a .env file next to it is read too; these win).' },
        ignore: { type: 'array', items: { type: 'string' }, description: 'Compose service keys to ignore instead of refusing them (e.g. depends_on).' },
      },
    },
    adopt: {
      oneOf: [
        { type: 'boolean', description: 'true: take over the compose service\'s running containers (needs `compose`).' },
        { type: 'object', additionalProperties: false, required: ['labels'], properties: { labels: labelSelector } },
      ],
    },
  },
};
