// Brownfield: containers that already run (started by `docker compose up`, or by hand) are taken
// over instead of started twice, reported as the running release while they run what it asks for,
// and replaced by the first rollout that changes them. Against a real Engine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeUp } from '../../../test/helpers/docker-compose-up.js';
import { freePortRange } from '../../../test/helpers/ports.js';
import { waitFor } from '../../../test/helpers/wait.js';
import plugin from '../src/index.js';
import { answer, apply, converge, deleteCtx, fetchState, harness, instanceFor, TEST_LABEL, WEB_IMAGE, type Harness } from './helpers.js';
import type { TargetState } from '@driftless/plugin-sdk';

let h: Harness;
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-adopt-'));
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.sweep();
  rmSync(dir, { recursive: true, force: true });
});

function composeFile(port: number): string {
  const file = path.join(dir, `compose-${port}.yml`);
  writeFileSync(
    file,
    `name: legacy
services:
  web:
    image: \${WEB_IMAGE}:\${TAG:-v1}
    network_mode: host
    environment: { GREETING: hello, VERSION: "\${TAG:-v1}", PORT: "${port}" }
    ports: ["${port}:${port}"]
    healthcheck: { test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:$$PORT/healthz"], interval: 1s, timeout: 1s, retries: 3 }
    stop_grace_period: 2s
`,
  );
  return file;
}

function release(version: string, file: string, extra: Record<string, unknown> = {}): TargetState {
  return {
    releaseId: `rel-${version}`,
    version,
    params: { version },
    env: {},
    digest: `digest-${version}`,
    spec: { compose: { file, service: 'web', variables: { TAG: version, WEB_IMAGE: 'driftless-test/web' } }, adopt: true, pull: 'never', ...extra },
  };
}

const health = { Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:$PORT/healthz'], Interval: 1e9, Timeout: 1e9, Retries: 3 };

/** Every container this file started or had started: compose's, by hand, and the plugin's. */
async function ids(): Promise<string[]> {
  const list = await h.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${TEST_LABEL}=${h.config.labels![TEST_LABEL]}`] }) });
  return list.map((c) => c.Id).sort();
}

describe('docker runtime: adoption', () => {
  it("takes over a compose service's running container as the release it matches, starts no duplicate, and deletes it with the instance", async () => {
    const port = await freePortRange(2);
    const file = composeFile(port);
    const compose = await composeUp(h.docker, { project: 'legacy', service: 'web', image: WEB_IMAGE.v1, env: { GREETING: 'hello', VERSION: 'v1', PORT: String(port) }, labels: h.config.labels!, healthcheck: health });
    const instance = instanceFor('web');
    const v1 = release('v1', file);
    try {
      await waitFor(async () => (await answer(port)) === 'hello from v1 in compose', 'the compose container to serve');
      const seen = await waitFor(async () => {
        const o = (await fetchState(h, instance, v1)).objects[0];
        return o?.versions[0]?.availableReplicas === 1 ? o : undefined;
      }, 'its HEALTHCHECK to pass');
      expect(seen).toEqual({
        name: 'web',
        status: 'PENDING',
        versions: [{ version: 'v1', replicas: 1, availableReplicas: 1, active: true, drifted: false, restarts: 0 }],
        message: '1 of 1 replicas of v1 available; taking over replica 0 (adopted as v1) (container legacy-web-1): it runs what v1 asks for, so no new container is started',
      });

      const { state, messages } = await converge(h, instance, v1);
      expect(messages).toEqual([expect.stringMatching(/^took over container legacy-web-1 as shop-staging-web-adopted-[0-9a-f]{10}-[0-9a-f]{4} \(it runs what v1 asks for\)$/)]);
      expect(state.objects[0]!).toMatchObject({ status: 'SUCCEEDED', message: '1 of 1 replicas of v1 available' });
      expect(await ids()).toEqual([compose.Id]);
      expect(await answer(port)).toBe('hello from v1 in compose');
      // Converged: applying again starts nothing.
      expect(await apply(h, instance, v1)).toEqual({ message: 'nothing to do: 1 of 1 replicas of v1 available' });

      // Another instance with the same selector does not take what this one took over.
      const other = instanceFor('web');
      expect(await fetchState(h, other, v1)).toEqual({ objects: [] });

      // delete finds it by its new name, without the selector.
      await plugin.delete!(deleteCtx(h.config, instance));
      expect(await ids()).toEqual([]);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
      await h.docker.getContainer(compose.Id).remove({ force: true }).catch(() => undefined);
    }
  });

  it('the first rollout that changes the image replaces the adopted container start-first', async () => {
    const port = await freePortRange(2);
    const file = composeFile(port);
    const compose = await composeUp(h.docker, { project: 'legacy', service: 'web', image: WEB_IMAGE.v1, env: { GREETING: 'hello', VERSION: 'v1', PORT: String(port) }, labels: h.config.labels!, healthcheck: health });
    const instance = instanceFor('web');
    try {
      // v2 asks for another image: the compose container is an old version named "adopted".
      const v2 = release('v2', file);
      const before = (await fetchState(h, instance, v2)).objects[0]!;
      expect(before.versions.map((v) => v.version)).toEqual(['adopted']);
      expect(before.message).toBe('rolling out v2: 0 of 1 replicas available, 1 container of other releases still running');
      const { state, messages } = await converge(h, instance, v2);
      expect(messages.join(' / ')).toMatch(/started replica 1 of v2; removed a replica \(adopted, not the target\) \(container legacy-web-1\)|removed replica 0 \(adopted, not the target\) \(container legacy-web-1\)/);
      expect(state.objects[0]!.versions).toEqual([{ version: 'v2', replicas: 1, availableReplicas: 1, active: true, drifted: false, restarts: 0 }]);
      expect(await ids()).not.toContain(compose.Id);
      // Start-first on the host network: the new replica took the other slot's port.
      expect(await answer(port + 1)).toBe('hello from v2 in compose');
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
      await h.docker.getContainer(compose.Id).remove({ force: true }).catch(() => undefined);
    }
  });

  it('adopts by label selector too; a container that does not run what the release asks for is replaced', async () => {
    const port = await freePortRange(2);
    const instance = instanceFor('worker');
    const target: TargetState = {
      releaseId: 'rel-v1',
      version: 'v1',
      params: {},
      env: {},
      digest: 'digest-v1',
      spec: { image: WEB_IMAGE.v1, pull: 'never', env: { VERSION: 'v1', GREETING: 'hello' }, ports: [{ hostPort: port }], healthcheck: { http: { path: '/healthz' } }, adopt: { labels: { app: 'legacy-worker' } } },
    };
    // Started by hand long ago, with another GREETING than the release asks for.
    const manual = await h.docker.createContainer({
      name: `legacy-worker-${port}`,
      Image: WEB_IMAGE.v1,
      Env: ['VERSION=v1', 'GREETING=hi', `PORT=${port}`],
      Labels: { ...h.config.labels, app: 'legacy-worker' },
      HostConfig: { NetworkMode: 'host' },
    });
    await manual.start();
    try {
      const seen = (await fetchState(h, instance, target)).objects[0]!;
      expect(seen.versions.map((v) => v.version)).toEqual(['adopted']);
      await converge(h, instance, target);
      const list = await h.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`io.driftless.instance=${instance.instanceId}`] }) });
      expect(list).toHaveLength(1);
      expect(await ids()).not.toContain(manual.id);
      expect(await answer(port + 1)).toBe('hello from v1 in compose');
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
      await manual.remove({ force: true }).catch(() => undefined);
    }
  });
});
