// The docker plugin's hooks against a real Engine: two replicas of the test web image on the host
// network, each on its own port, rolled from v1 to v2 start-first while the ports keep answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../test/helpers/ports.js';
import { LABEL } from '../src/labels.js';
import { answer, apply, containersOf, converge, deleteCtx, fetchState, harness, instanceFor, webTarget, type Harness } from './helpers.js';
import plugin from '../src/index.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.sweep();
});

describe('docker runtime: replicas and rolling updates', () => {
  it('converges v1 on two replicas, each on its own port and labelled with instance, release and digest', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    try {
      expect(await fetchState(h, instance, v1)).toEqual({ objects: [] });
      const { state } = await converge(h, instance, v1);
      expect(state.objects).toEqual([
        { name: 'web', status: 'SUCCEEDED', message: '2 of 2 replicas of v1 available', versions: [{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 }] },
      ]);
      expect(await answer(base)).toBe('hello from v1 in staging');
      expect(await answer(base + 1)).toBe('hello from v1 in staging');

      const containers = await containersOf(h, instance);
      expect(containers).toHaveLength(2);
      for (const c of containers) {
        expect(c.Labels[LABEL.release]).toBe('v1');
        expect(c.Labels[LABEL.digest]).toBe('digest-v1');
        expect(c.Labels[LABEL.application]).toBe('shop');
        expect(c.Names[0]).toMatch(/^\/shop-staging-web-[01]-[0-9a-f]{6}$/);
      }
      expect(containers.map((c) => c.Labels[LABEL.slot]).sort()).toEqual(['0', '1']);

      // Applying the converged target again changes nothing.
      const again = await apply(h, instance, v1);
      expect(again).toEqual({ message: 'nothing to do: 2 of 2 replicas of v1 available' });
      expect((await containersOf(h, instance)).map((c) => c.Id).sort()).toEqual(containers.map((c) => c.Id).sort());
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
    expect(await containersOf(h, instance)).toEqual([]);
    expect(await answer(base)).toBeUndefined();
  });

  it('rolls v1 → v2 start-first: at every poll at least one replica answers, and v2 ends on its own image', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    const v2 = webTarget('v2', base);
    try {
      await converge(h, instance, v1);
      const seen = new Set<string>();
      let gaps = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const answers = await Promise.all([base, base + 1, base + 2].map(answer));
          const served = answers.filter((a): a is string => a !== undefined);
          if (served.length === 0) gaps++;
          served.forEach((a) => seen.add(a));
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const { state, messages } = await converge(h, instance, v2);
      polling = false;
      await poller;

      expect(gaps).toBe(0);
      expect([...seen].sort()).toEqual(['hello from v1 in staging', 'hello from v2 in staging']);
      expect(state.objects[0]!.versions).toEqual([{ version: 'v2', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 }]);
      // One new replica at a time (maxSurge 1), each old one removed once its replacement served.
      expect(messages.filter((m) => /started replica \d of v2/.test(m))).toHaveLength(2);
      expect(messages.some((m) => /removed replica \d of v1 .* serve/.test(m))).toBe(true);
      const images = (await containersOf(h, instance)).map((c) => c.Image);
      const v2Id = (await h.docker.getImage(v2.spec.image as string).inspect()).Id;
      expect(images).toEqual([v2Id, v2Id]);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });

  it('stop-first with one replica reuses the slot: the port stays the same, and replicas scale down', async () => {
    const base = await freePortRange(2);
    const instance = instanceFor('api');
    const stopFirst = { replicas: 1, update: { order: 'stop-first' } };
    try {
      await converge(h, instance, webTarget('v1', base, stopFirst));
      expect(await answer(base)).toBe('hello from v1 in staging');
      const { messages } = await converge(h, instance, webTarget('v2', base, stopFirst));
      expect(messages.some((m) => /removed replica 0 of v1 .*stop-first/.test(m))).toBe(true);
      expect(await answer(base)).toBe('hello from v2 in staging');
      expect(await answer(base + 1)).toBeUndefined();

      // Three replicas, then back to one: the extras go.
      await converge(h, instance, webTarget('v2', base, { replicas: 3 }, 'digest-v2-three'));
      expect(await containersOf(h, instance)).toHaveLength(3);
      const { state } = await converge(h, instance, webTarget('v2', base, { replicas: 1 }, 'digest-v2-one'));
      expect(state.objects[0]!.versions).toEqual([{ version: 'v2', replicas: 1, availableReplicas: 1, active: true, drifted: false, restarts: 0 }]);
      expect(await containersOf(h, instance)).toHaveLength(1);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });
});
