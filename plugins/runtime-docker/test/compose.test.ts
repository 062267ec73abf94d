// Compose services taken as they are (no Engine needed): what maps, how Driftless's values apply on
// top, and the precise errors for what the plugin does not support. validate() reports every
// problem with its path in the spec.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { buildTemplate } from '../src/template.js';
import { interpolate } from '../src/compose/interpolate.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-compose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function composeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const config = { labels: { team: 'shop' } };
const validate = (spec: Record<string, unknown>) => plugin.validate!(spec, {});

const SHOP = composeFile(
  'shop.yml',
  `name: Shop_App
services:
  web:
    image: registry.example.com/shop/web:\${TAG:-latest}
    entrypoint: /bin/web
    command: ["--listen", "0.0.0.0:80"]
    environment:
      - LOG_LEVEL=info
      - FEATURE_X
    env_file: web.env
    ports: ["127.0.0.1:8080:80/tcp"]
    volumes:
      - ./static:/srv/static:ro
      - uploads:/srv/uploads
    networks: [front]
    healthcheck:
      test: wget -q -O /dev/null http://127.0.0.1:80/healthz
      interval: 5s
      timeout: 1500ms
      retries: 4
      start_period: 1m30s
    deploy:
      replicas: 3
      resources: { limits: { cpus: "0.5", memory: 256M } }
      update_config: { order: start-first, parallelism: 2 }
    restart: unless-stopped
    labels: ["traefik.enable=true"]
    stop_grace_period: 20s
    init: true
    x-notes: ignored like compose ignores it
  db:
    image: postgres:16
    environment: { POSTGRES_PASSWORD: "\${DB_PASSWORD}" }
volumes:
  uploads: {}
networks:
  front: {}
`,
);
writeFileSync(path.join(dir, 'web.env'), '# comment\nexport FROM_FILE="a b"\nLOG_LEVEL=debug\n');

describe('compose services as they are', () => {
  it('maps image, command, env, ports, volumes, healthcheck, deploy and the rest; other services are not read', () => {
    const t = buildTemplate({ spec: { compose: { file: SHOP, service: 'web', variables: { TAG: '1.4.2', FEATURE_X: 'on' } } }, config });
    expect(t).toMatchObject({
      image: 'registry.example.com/shop/web:1.4.2',
      entrypoint: ['/bin/web'],
      cmd: ['--listen', '0.0.0.0:80'],
      // env_file first, `environment` over it; a bare name takes its value from the variables.
      env: { FROM_FILE: 'a b', LOG_LEVEL: 'info', FEATURE_X: 'on' },
      ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1' }],
      mounts: [
        { type: 'bind', source: path.join(dir, 'static'), target: '/srv/static', readOnly: true },
        // Named volumes and networks as compose names them: <project>_<name>.
        { type: 'volume', source: 'shop_app_uploads', target: '/srv/uploads', readOnly: false },
      ],
      network: 'shop_app_front',
      health: { kind: 'docker', test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:80/healthz'], intervalNs: 5e9, timeoutNs: 1.5e9, retries: 4, startPeriodNs: 90e9 },
      replicas: 3,
      nanoCpus: 5e8,
      memoryBytes: 256 * 1024 * 1024,
      update: { order: 'start-first', maxSurge: 2, maxUnavailable: 0 },
      restart: 'unless-stopped',
      labels: { team: 'shop', 'traefik.enable': 'true' },
      stopTimeoutSeconds: 20,
      init: true,
      origin: `compose service "web" of ${SHOP}`,
    });
  });

  it('applies the spec on top: its fields win, env and labels merge, and the target env sits between', () => {
    const t = buildTemplate({
      spec: { compose: { file: SHOP, service: 'web', variables: { FEATURE_X: 'off' } }, replicas: 1, env: { LOG_LEVEL: 'warn' }, labels: { tier: 'front' }, network: 'host', ports: [{ hostPort: 9000 }] },
      env: { LOG_LEVEL: 'from-channel', REGION: 'eu' },
      config,
    });
    expect(t).toMatchObject({ image: 'registry.example.com/shop/web:latest', replicas: 1, network: 'host', ports: [{ hostPort: 9000, containerPort: 9000 }] });
    expect(t.env).toEqual({ FROM_FILE: 'a b', LOG_LEVEL: 'warn', FEATURE_X: 'off', REGION: 'eu' });
    expect(t.labels).toEqual({ team: 'shop', 'traefik.enable': 'true', tier: 'front' });
  });

  it('a changed compose file is a changed template (hash), the same file the same', () => {
    const spec = { compose: { file: SHOP, service: 'web', variables: { FEATURE_X: 'on' } } };
    const a = buildTemplate({ spec, config }).hash;
    expect(buildTemplate({ spec, config }).hash).toBe(a);
    expect(buildTemplate({ spec: { compose: { ...spec.compose, variables: { FEATURE_X: 'off' } } }, config }).hash).not.toBe(a);
  });

  it('refuses unsupported keys all at once, with what to do, unless listed in compose.ignore', async () => {
    const file = composeFile('legacy.yml', `services:\n  api:\n    build: .\n    image: api:1\n    container_name: api\n    depends_on: [db]\n    privileged: true\n`);
    expect(await validate({ compose: { file, service: 'api' } })).toEqual([
      {
        path: '/compose',
        message: `${file}: services.api: not supported by the docker runtime plugin: build (Driftless deploys images: build and push it first and give \`image\` (list build in spec.compose.ignore if the file has both)), container_name (Driftless names each replica itself (<application>-<channel>-<service>-<slot>-<id>), so replicas and start-first rollouts never collide), depends_on (Driftless deploys one service per Service document; order them with release channels, or list depends_on in spec.compose.ignore), privileged; remove them, or list them in spec.compose.ignore to deploy without them`,
      },
    ]);
    expect(await validate({ compose: { file, service: 'api', ignore: ['build', 'depends_on', 'container_name', 'privileged'] } })).toEqual([]);
  });

  it('names the file and the key for bad values, unset variables, missing services and files', async () => {
    expect(await validate({ compose: { file: SHOP, service: 'db' } })).toEqual([
      { path: '/compose', message: `${SHOP}: services.db.environment.POSTGRES_PASSWORD: \${DB_PASSWORD} is not set` },
    ]);
    expect(await validate({ compose: { file: SHOP, service: 'cache' } })).toEqual([{ path: '/compose/service', message: `${SHOP} has no service "cache" (it has: web, db)` }]);
    expect(await validate({ compose: { file: path.join(dir, 'nope.yml'), service: 'web' } })).toEqual([
      { path: '/compose/file', message: `cannot read ${path.join(dir, 'nope.yml')}: no such file (paths are relative to the server's working directory)` },
    ]);
    const ranges = composeFile('ranges.yml', `services:\n  web:\n    image: web:1\n    ports: ["8000-8001:80", "80"]\n`);
    expect(await validate({ compose: { file: ranges, service: 'web' } })).toEqual([{ path: '/compose', message: `${ranges}: services.web.ports[0]: "8000-8001:80": port ranges are not supported; list each port` }]);
    const noImage = composeFile('noimage.yml', `services:\n  web:\n    environment: { A: "1" }\n`);
    expect(await validate({ compose: { file: noImage, service: 'web' } })).toEqual([{ path: '/image', message: `is required: compose service "web" of ${noImage} names no image` }]);
  });
});

describe('spec rules validate() checks', () => {
  it('replica ports must not collide, on the host network a port cannot be remapped, and reserved names stay the plugin\'s', async () => {
    expect(
      await validate({
        image: 'web:1',
        network: 'host',
        replicas: 2,
        ports: [{ hostPort: 8000 }, { hostPort: 8002, containerPort: 80 }, { hostPort: 8001 }],
        env: { PORT: '1' },
        labels: { 'io.driftless.release': 'x' },
      }),
    ).toEqual([
      { path: '/ports/1/containerPort', message: 'on the host network a container listens on its host port itself (8002 + replica slot); containerPort 80 cannot be remapped' },
      { path: '/ports/1/hostPort', message: "host ports 8002-8004 overlap ports[0]'s 8000-8002 (each entry takes one port per replica slot: replicas + maxSurge)" },
      { path: '/ports/2/hostPort', message: "host ports 8001-8003 overlap ports[0]'s 8000-8002 (each entry takes one port per replica slot: replicas + maxSurge)" },
      { path: '/ports/2/hostPort', message: "host ports 8001-8003 overlap ports[1]'s 8002-8004 (each entry takes one port per replica slot: replicas + maxSurge)" },
      { path: '/env/PORT', message: 'is set by the plugin for each replica; do not set it' },
      { path: '/labels/io.driftless.release', message: "io.driftless.* labels are the plugin's own" },
    ]);
  });

  it('update, healthcheck and adopt need what they need', async () => {
    expect(await validate({ image: 'web:1', update: { order: 'start-first', maxSurge: 0 } })).toEqual([
      { path: '/update/maxSurge', message: 'start-first needs maxSurge >= 1: a new replica starts before an old one stops' },
    ]);
    expect(await validate({ image: 'web:1', healthcheck: { http: { path: '/' } } })).toEqual([{ path: '/healthcheck/http', message: 'needs a port to probe: add one under ports' }]);
    expect(await validate({ image: 'web:1', ports: [{ hostPort: 8000, name: 'http' }], healthcheck: { http: { port: 'admin' } } })).toEqual([
      { path: '/healthcheck/http/port', message: '"admin" names none of the ports' },
    ]);
    expect(await validate({ image: 'web:1', adopt: true })).toEqual([
      { path: '/adopt', message: "adopt: true takes over a compose service's containers: give compose, or adopt: { labels: {...} }" },
    ]);
    expect(await validate({ image: 'web:1', resources: { memory: '1k' } })).toEqual([{ path: '/resources/memory', message: 'Docker needs at least 6 MiB' }]);
    expect(await validate({ image: 'web:1', ports: [{ hostPort: 8000 }], healthcheck: { http: {} }, replicas: 3 })).toEqual([]);
  });

  it('runtime config problems are reported, never with the secret in them', async () => {
    const issues = await plugin.validate!({ image: 'web:1' }, { endpoint: 'unix:///run/docker.sock', tls: { cert: 'not pem', key: 'SECRET-KEY-MATERIAL' } });
    expect(issues).toEqual([{ path: '', message: 'runtime config: tls is only for tcp:// endpoints, the endpoint is a unix socket' }]);
    const tcp = await plugin.validate!({ image: 'web:1' }, { endpoint: 'tcp://10.0.0.5:2376', tls: { cert: 'not pem', key: 'SECRET-KEY-MATERIAL' } });
    expect(tcp).toEqual([{ path: '', message: 'runtime config: tls.cert must be PEM text (-----BEGIN CERTIFICATE-----)' }]);
    expect(JSON.stringify(tcp)).not.toContain('SECRET');
  });
});

describe('compose interpolation', () => {
  it('follows compose: defaults, required, alternatives, $$, nesting; unset without default is an error', () => {
    const vars = { A: 'a', EMPTY: '' };
    expect(interpolate('$A-${A}-${EMPTY:-d}-${EMPTY-d}-${B:-${A}x}-${A:+alt}-${B+alt}-$$A', vars)).toBe('a-a-d--ax-alt--$A');
    expect(() => interpolate('${B}', vars)).toThrow('${B} is not set');
    expect(() => interpolate('${EMPTY:?give it a value}', vars)).toThrow('${EMPTY} is required: give it a value');
    expect(() => interpolate('${A', vars)).toThrow('unclosed "${" in "${A"');
  });
});
