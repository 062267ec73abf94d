// The rest of the spec on a real Engine: mounts (bind, named volume, tmpfs), resource limits,
// labels, named ports and Docker's own HEALTHCHECK reach the container and work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../test/helpers/ports.js';
import plugin from '../src/index.js';
import { answer, containersOf, converge, deleteCtx, harness, instanceFor, webTarget, type Harness } from './helpers.js';

let h: Harness;
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-options-'));
const volume = `driftless-test-options-${process.pid}`;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.sweep();
  // Named volumes outlive their containers on purpose (data); this test's one goes now.
  await h?.docker.getVolume(volume).remove().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('docker runtime: the rest of the spec', () => {
  it('mounts, limits, labels, named ports and a Docker HEALTHCHECK reach the container', async () => {
    writeFileSync(path.join(dir, 'app.conf'), 'greeting=hi\n');
    const port = await freePortRange(2);
    const instance = instanceFor('web');
    const target = webTarget('v1', port, {
      replicas: 1,
      ports: [{ hostPort: port, name: 'http' }],
      volumes: [
        { source: dir, target: '/config', readOnly: true },
        { source: volume, target: '/data' },
        { type: 'tmpfs', target: '/scratch' },
      ],
      resources: { cpus: 0.5, memory: '96m' },
      labels: { tier: 'front' },
      init: true,
      // Healthy only when the bind mount is there and the server answers.
      healthcheck: { test: 'cat /config/app.conf && wget -q -O /dev/null http://127.0.0.1:$PORT_HTTP/healthz', interval: '500ms', timeout: '1s', retries: 3 },
    });
    try {
      const { state } = await converge(h, instance, target);
      expect(state.objects[0]).toMatchObject({ status: 'SUCCEEDED', message: '1 of 1 replicas of v1 available' });
      expect(await answer(port)).toBe('hello from v1 in staging');

      const [c] = await containersOf(h, instance);
      const info = await h.docker.getContainer(c!.Id).inspect();
      expect(info.State.Health?.Status).toBe('healthy');
      expect(info.HostConfig).toMatchObject({ NetworkMode: 'host', Memory: 96 * 1024 * 1024, NanoCpus: 5e8, Init: true, RestartPolicy: { Name: 'no' } });
      expect(info.Mounts.map((m) => [m.Type, m.Destination, m.RW]).sort()).toEqual([
        ['bind', '/config', false],
        ['tmpfs', '/scratch', true],
        ['volume', '/data', true],
      ].sort());
      expect(info.Mounts.find((m) => m.Type === 'volume')!.Name).toBe(volume);
      expect(info.Config.Labels).toMatchObject({ tier: 'front', 'org.driftless.test-file': h.config.labels!['org.driftless.test-file'] });
      expect(info.Config.Env).toEqual(expect.arrayContaining([`PORT=${port}`, `PORT_HTTP=${port}`, 'DRIFTLESS_RELEASE=v1', 'DRIFTLESS_REPLICA=0', 'CHANNEL=staging', 'VERSION=v1']));
      expect(info.Config.StopTimeout).toBe(2);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
    expect(await containersOf(h, instance)).toEqual([]);
    // The named volume stays: it may hold data.
    expect((await h.docker.getVolume(volume).inspect()).Name).toBe(volume);
  });
});
