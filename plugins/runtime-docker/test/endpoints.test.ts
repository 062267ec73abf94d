// The Engine over its two remote transports, for real: tcp:// with TLS client certificates (a
// private dockerd verifying them) and ssh:// (a real sshd running `docker system dial-stdio`).
// The certificates and the key are secrets: redacted by the schema, never in a message.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerd, type Dockerd } from '../../../test/helpers/dockerd-daemon.js';
import { ensureTestImages } from '../../../test/helpers/docker-images.js';
import { freePortRange } from '../../../test/helpers/ports.js';
import { redact } from '../../../server/plugin-host/redact.js';
import plugin from '../src/index.js';
import type { DockerRuntimeConfig } from '../src/config.js';
import { makeCerts, type TestCerts } from './certs.js';
import { startDockerSshHost, type DockerSshHost } from './sshd.js';
import { applyCtx, converge, deleteCtx, fetchCtx, harness, instanceFor, webTarget, type Harness } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dl-ep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tcp:// with TLS client certificates', () => {
  let daemon: Dockerd;
  let certs: TestCerts;
  let port: number;
  beforeAll(async () => {
    certs = makeCerts(path.join(dir));
    port = await freePortRange(1);
    daemon = await startDockerd(path.join(dir, 'd'), { port, files: certs.daemon });
    await ensureTestImages(daemon.docker);
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
  });

  it('deploys, reports and deletes through the TLS endpoint', { timeout: 60_000 }, async () => {
    const config: DockerRuntimeConfig = { endpoint: `tcp://127.0.0.1:${port}`, tls: certs.client, network: 'host' };
    const h: Harness = { daemon, docker: daemon.docker, config, sweep: async () => {} };
    const instance = instanceFor('web');
    const target = webTarget('v1', await freePortRange(3), { replicas: 1 });
    try {
      expect(await plugin.fetch(fetchCtx(config, instance, target))).toEqual({ objects: [] });
      const { state } = await converge(h, instance, target);
      expect(state.objects[0]).toMatchObject({ status: 'SUCCEEDED', message: '1 of 1 replicas of v1 available' });
    } finally {
      await plugin.delete!(deleteCtx(config, instance));
    }
    expect(await plugin.fetch(fetchCtx(config, instance, target))).toEqual({ objects: [] });
  });

  it('a client certificate the daemon does not trust is a TerminalError that names the fields, not their contents', async () => {
    const config: DockerRuntimeConfig = { endpoint: `tcp://127.0.0.1:${port}`, tls: { ca: certs.client.ca, ...certs.stranger }, network: 'host' };
    const error = await plugin.fetch(fetchCtx(config, instanceFor('web'))).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('TerminalError');
    expect(error?.message).toMatch(new RegExp(`^TLS with the Docker Engine at tcp://127\\.0\\.0\\.1:${port} failed: .+ \\(check tls\\.ca, tls\\.cert and tls\\.key\\)$`));
    expect(error?.message).not.toContain('BEGIN');
    // Without tls, the daemon's own answer says what is wrong.
    const plain = await plugin.fetch(fetchCtx({ endpoint: `tcp://127.0.0.1:${port}` }, instanceFor('web'))).then(() => undefined, (e: Error) => e);
    expect(plain?.name).toBe('TerminalError');
    expect(plain?.message).toBe(`connecting: the Docker Engine at tcp://127.0.0.1:${port} refused it: Client sent an HTTP request to an HTTPS server.`);
  });

  it('tls.cert and tls.key are redacted on read (x-secret), the CA is not', () => {
    const shown = redact({ endpoint: 'tcp://10.0.0.5:2376', tls: certs.client }, plugin.configSchema) as DockerRuntimeConfig;
    expect(shown.tls).toEqual({ ca: certs.client.ca, cert: '<redacted>', key: '<redacted>' });
  });
});

describe('ssh:// to a host that runs the docker CLI', () => {
  let h: Harness;
  let host: DockerSshHost;
  beforeAll(async () => {
    h = await harness();
    host = await startDockerSshHost(path.join(dir, 'ssh'), h.daemon.socket);
  });
  afterAll(async () => {
    await host?.close();
    await h?.sweep();
  });

  it('deploys and deletes through `docker system dial-stdio` on the host, checking its host key', { timeout: 90_000 }, async () => {
    const config: DockerRuntimeConfig = {
      ...h.config,
      endpoint: `ssh://${host.user}@127.0.0.1:${host.port}`,
      ssh: { privateKey: host.privateKey, hostKeyFingerprints: [host.fingerprint] },
    };
    const ssh: Harness = { ...h, config };
    const instance = instanceFor('web');
    const target = webTarget('v1', await freePortRange(3), { replicas: 1 });
    try {
      const { state } = await converge(ssh, instance, target);
      expect(state.objects[0]).toMatchObject({ status: 'SUCCEEDED' });
    } finally {
      await plugin.delete!(deleteCtx(config, instance));
    }
    expect(await plugin.fetch(fetchCtx(config, instance, target))).toEqual({ objects: [] });
  });

  it('an unknown host key and a refused key are TerminalErrors, without the key in them', async () => {
    const wrongHost: DockerRuntimeConfig = {
      endpoint: `ssh://${host.user}@127.0.0.1:${host.port}`,
      ssh: { privateKey: host.privateKey, hostKeyFingerprints: ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] },
    };
    const error = await plugin.apply(applyCtx(wrongHost, instanceFor('web'), webTarget('v1', 1))).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('TerminalError');
    expect(error?.message).toBe(`connecting: the host key of ssh://${host.user}@127.0.0.1:${host.port} matches none of ssh.hostKeyFingerprints`);
    expect(error?.message).not.toContain('PRIVATE KEY');
  });
});
