// Docker runtime config through a real server: bad specs and compose files are user errors at
// applyConfig with a path and the plugin's words, and TLS client material never comes back out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-docker-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEGACY = path.join(dir, 'docker-compose.yml');
writeFileSync(LEGACY, 'services:\n  api:\n    build: .\n    image: api:1\n    privileged: true\n');

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclientcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n';

function documents(spec: string): string {
  return `apiVersion: driftless/v1
kind: Runtime
name: remote
plugin: docker
config:
  endpoint: tcp://10.0.0.5:2376
  tls: { cert: ${JSON.stringify(CERT)}, key: ${JSON.stringify(KEY)} }
  network: host
---
apiVersion: driftless/v1
kind: Application
name: shop
releaseChannels:
  - { name: staging, runtime: remote, constants: { port: 8100 } }
---
apiVersion: driftless/v1
kind: Service
name: web
application: shop
parameters: [{ name: version, type: string, required: true }]
spec:
${spec}`;
}

describe.each(DATABASES)('docker runtime config at applyConfig (%s)', (database) => {
  it('refuses colliding replica ports and unsupported compose keys with paths, and redacts the TLS client material', async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });

    const collide = await server.data(APPLY_CONFIG, {
      documents: documents('  image: "web:{{ params.version }}"\n  replicas: 2\n  ports: [{ hostPort: "{{ constants.port }}" }, { hostPort: 8101 }]\n'),
    });
    expect(collide.applyConfig.userErrors).toEqual([
      {
        code: 'INVALID_PLUGIN_CONFIG',
        message: `document 3 (Service web): spec.ports[1].hostPort: host ports 8101-8103 overlap ports[0]'s 8100-8102 (each entry takes one port per replica slot: replicas + maxSurge) (as rendered for channel staging, runtime plugin "docker")`,
        path: ['documents', '2', 'Service web', 'spec.ports[1].hostPort'],
        line: null,
      },
    ]);

    const legacy = await server.data(APPLY_CONFIG, { documents: documents(`  compose: { file: ${JSON.stringify(LEGACY)}, service: api }\n`) });
    expect(legacy.applyConfig.userErrors).toHaveLength(1);
    expect(legacy.applyConfig.userErrors[0]).toMatchObject({ code: 'INVALID_PLUGIN_CONFIG', path: ['documents', '2', 'Service web', 'spec.compose'] });
    expect(legacy.applyConfig.userErrors[0].message).toContain(`spec.compose: ${LEGACY}: services.api: not supported by the docker runtime plugin: build (`);
    expect(legacy.applyConfig.userErrors[0].message).toContain('privileged; remove them, or list them in spec.compose.ignore to deploy without them');

    const ok = await server.data(APPLY_CONFIG, {
      documents: documents(`  compose: { file: ${JSON.stringify(LEGACY)}, service: api, ignore: [build, privileged] }\n  ports: [{ hostPort: "{{ constants.port }}" }]\n`),
    });
    expect(ok.applyConfig.userErrors).toEqual([]);
    const { runtimes } = await server.data(`{ runtimes { name plugin config } }`);
    const remote = runtimes.find((r: any) => r.name === 'remote');
    expect(remote.config).toEqual({ endpoint: 'tcp://10.0.0.5:2376', tls: { cert: '<redacted>', key: '<redacted>' }, network: 'host' });
    expect(JSON.stringify(runtimes)).not.toContain('secretkeymaterial');
    expect(JSON.stringify(runtimes)).not.toContain('clientcert');
  });
});
