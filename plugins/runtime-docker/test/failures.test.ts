// What goes wrong, against a real Engine: a release whose container exits at start, an image that
// is not there with pull: never, a daemon that is not there, and a crash loop under a restart
// policy. Each says why in words, with the container's last log lines, and errors are typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../test/helpers/ports.js';
import { waitFor } from '../../../test/helpers/wait.js';
import plugin from '../src/index.js';
import { answer, apply, applyCtx, containersOf, converge, deleteCtx, fetchCtx, fetchState, harness, instanceFor, webTarget, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.sweep();
});

// Both lines on stderr: Docker's log keeps order within a stream, not across stdout and stderr.
const EXITS_AT_START = { args: ['sh', '-c', 'echo "web: starting" >&2; echo "boom: no config at /etc/web.conf" >&2; exit 3'] };

describe('docker runtime: failures', () => {
  it('a release whose container exits at start: apply throws a RetryableError with its log line, the old release keeps serving, and going back clears it', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    const v2 = webTarget('v2', base, EXITS_AT_START);
    try {
      await converge(h, instance, v1);
      const error = await plugin.apply(applyCtx(h.config, instance, v2)).then(() => undefined, (e: Error) => e);
      expect(error?.name).toBe('RetryableError');
      expect(error?.message).toMatch(/^replica 2 of v2 \(container shop-staging-web-2-[0-9a-f]{6}\) exited with code 3; last log lines: web: starting \| boom: no config at \/etc\/web\.conf$/);

      const failed = (await fetchState(h, instance, v2)).objects[0]!;
      expect(failed.status).toBe('FAILED');
      expect(failed.message).toMatch(/exited with code 3; last log lines: web: starting \| boom: no config at \/etc\/web\.conf$/);
      expect(failed.versions.find((v) => v.version === 'v1')).toMatchObject({ replicas: 2, availableReplicas: 2, active: true });
      expect(failed.versions.find((v) => v.version === 'v2')).toMatchObject({ availableReplicas: 0, active: false, drifted: true, restarts: 0 });
      expect(await answer(base)).toBe('hello from v1 in staging');

      // The engine retries: the failed container is replaced, and the re-creation counts as a restart.
      await expect(plugin.apply(applyCtx(h.config, instance, v2))).rejects.toThrow(/exited with code 3/);
      const retried = (await fetchState(h, instance, v2)).objects[0]!;
      expect(retried.versions.find((v) => v.version === 'v2')!.restarts).toBe(1);
      expect(await containersOf(h, instance)).toHaveLength(3);

      // Rolled back to v1: the failed v2 container goes, v1 never stopped.
      const { state, messages } = await converge(h, instance, v1);
      expect(state.objects[0]!.versions).toEqual([{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 }]);
      expect(messages[0]).toMatch(/^removed replica 2 of v2 \(container .*\): it exited with code 3/);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });

  it('an image that is not on the host with pull: never is a TerminalError naming the image', async () => {
    const instance = instanceFor('web');
    const target = webTarget('v1', await freePortRange(3), { image: 'driftless-test/not-built:9' });
    const error = await plugin.apply(applyCtx(h.config, instance, target)).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('TerminalError');
    expect(error?.message).toBe(`image driftless-test/not-built:9 is not on the Docker host at ${h.config.endpoint} and pull is "never": build or load it there (docker build / docker load), or set pull: missing`);
    expect(await containersOf(h, instance)).toEqual([]);
  });

  it('a daemon that does not answer is retryable, for fetch, apply and delete alike', async () => {
    const config = { ...h.config, endpoint: 'unix:///tmp/driftless-no-such-docker.sock' };
    const instance = instanceFor('web');
    const target = webTarget('v1', 18000);
    const expected = 'cannot reach the Docker Engine at unix:///tmp/driftless-no-such-docker.sock: ENOENT (is dockerd running?)';
    for (const call of [
      () => plugin.fetch(fetchCtx(config, instance, target)),
      () => plugin.apply(applyCtx(config, instance, target)),
      () => plugin.delete!(deleteCtx(config, instance)),
    ]) {
      const error = await call().then(() => undefined, (e: Error) => e);
      expect(error?.name).toBe('RetryableError');
      expect(error?.message).toBe(expected);
    }
  });

  it('a container crash-looping under restart: always shows a climbing restart count and says it is restarting', async () => {
    const instance = instanceFor('worker');
    const target = webTarget('v1', await freePortRange(2), {
      replicas: 1,
      restart: 'always',
      ports: [],
      healthcheck: { disable: true },
      args: ['sh', '-c', 'echo "worker: queue unreachable, giving up"; sleep 1.5; exit 1'],
    });
    try {
      await apply(h, instance, target);
      const counts: number[] = [];
      const looping = await waitFor(async () => {
        const state = await fetchState(h, instance, target);
        const restarts = state.objects[0]?.versions[0]?.restarts ?? 0;
        counts.push(restarts);
        return restarts >= 3 ? state : undefined;
      }, 'three restarts', 30_000, 200);
      // Never reset by a fetch: cumulative, and only ever growing.
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      const failing = await waitFor(async () => {
        const o = (await fetchState(h, instance, target)).objects[0]!;
        return o.status === 'FAILED' ? o : undefined;
      }, 'a fetch that catches it down', 20_000, 100);
      expect(failing.message).toMatch(/^replica 0 of v1 \(container .*\) (is restarting: it exited with code 1 and was restarted \d+ times under restart policy "always"|exited with code 1 after being restarted \d+ times under restart policy "always"); last log lines: worker: queue unreachable, giving up/);
      expect(looping.objects[0]!.versions[0]!.restarts).toBeGreaterThanOrEqual(3);
      // Docker restarts it, not apply: apply leaves the crash loop alone.
      const before = (await containersOf(h, instance)).map((c) => c.Id);
      await apply(h, instance, target).catch(() => undefined);
      expect((await containersOf(h, instance)).map((c) => c.Id)).toEqual(before);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
    expect(await containersOf(h, instance)).toEqual([]);
  });
});
