// Hand edits against a real Engine: a container killed, updated (`docker update`), replaced by a
// look-alike with other env, or removed is reported drifted with what changed, and apply heals it.
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../test/helpers/ports.js';
import plugin from '../src/index.js';
import { LABEL } from '../src/labels.js';
import { answer, containersOf, converge, deleteCtx, fetchState, harness, instanceFor, webTarget, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.sweep();
});

async function slotContainer(instance: { instanceId: string }, slot: number): Promise<Docker.ContainerInfo> {
  const all = await containersOf(h, instance);
  return all.find((c) => c.Labels[LABEL.slot] === String(slot))!;
}

describe('docker runtime: drift', () => {
  it('a container killed by hand is FAILED and drifted with its exit, and apply replaces it carrying the restart over', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    try {
      await converge(h, instance, v1);
      const victim = await slotContainer(instance, 1);
      await h.docker.getContainer(victim.Id).kill();

      const seen = (await fetchState(h, instance, v1)).objects[0]!;
      expect(seen.status).toBe('FAILED');
      expect(seen.message).toMatch(new RegExp(`^replica 1 of v1 \\(container ${victim.Names[0]!.slice(1)}\\) was killed \\(exit code 137, SIGKILL\\); last log lines: web: serving v1 on 127\\.0\\.0\\.1:${base + 1}$`));
      expect(seen.versions).toEqual([{ version: 'v1', replicas: 2, availableReplicas: 1, active: true, drifted: true, restarts: 0 }]);

      const { state, messages } = await converge(h, instance, v1);
      expect(messages[0]).toMatch(/^removed replica 1 of v1 .*: it was killed \(exit code 137, SIGKILL\); started replica 1 of v1$/);
      // The replacement carries the crash: restarts stay cumulative for the engine's crash-loop count.
      expect(state.objects[0]!.versions).toEqual([{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 1 }]);
      expect((await slotContainer(instance, 1)).Id).not.toBe(victim.Id);
      expect(await answer(base + 1)).toBe('hello from v1 in staging');
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });

  it('docker update by hand (memory, restart policy) is drift, named, and healed by a replacement', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    try {
      await converge(h, instance, v1);
      const edited = await slotContainer(instance, 0);
      await h.docker.getContainer(edited.Id).update({ Memory: 64 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024, RestartPolicy: { Name: 'always' } });

      const seen = (await fetchState(h, instance, v1)).objects[0]!;
      expect(seen.status).toBe('PENDING');
      expect(seen.versions[0]).toMatchObject({ version: 'v1', drifted: true, availableReplicas: 2 });
      expect(seen.message).toContain(`replica 0 of v1 (container ${edited.Names[0]!.slice(1)}) drifted: its memory limit is 64 MiB, Driftless set none; its restart policy is "always", Driftless set "no"`);

      await converge(h, instance, v1);
      const ids = (await containersOf(h, instance)).map((c) => c.Id);
      expect(ids).toHaveLength(2);
      expect(ids).not.toContain(edited.Id);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });

  it('a container re-created by hand with other env (same labels) is drift naming the variable, never its value', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    try {
      await converge(h, instance, v1);
      const original = await slotContainer(instance, 0);
      const info = await h.docker.getContainer(original.Id).inspect();
      await h.docker.getContainer(original.Id).remove({ force: true });
      // A "hotfix" by hand: the same container, the same labels, one variable changed.
      const env = info.Config.Env.map((e) => (e.startsWith('VERSION=') ? 'VERSION=hotfix-secret-value' : e));
      const copy = await h.docker.createContainer({ name: `${info.Name.slice(1)}-hotfix`, Image: info.Image, Env: env, Labels: info.Config.Labels, HostConfig: { NetworkMode: 'host' } });
      await copy.start();
      await new Promise((r) => setTimeout(r, 1_200));

      const seen = (await fetchState(h, instance, v1)).objects[0]!;
      expect(seen.versions[0]).toMatchObject({ drifted: true });
      expect(seen.message).toContain('drifted: env VERSION was changed');
      expect(JSON.stringify(seen)).not.toContain('hotfix-secret-value');

      await converge(h, instance, v1);
      expect((await containersOf(h, instance)).map((c) => c.Id)).not.toContain(copy.id);
      // The replacement started next to the copy (start-first), so it took the free slot 2.
      const answers = await Promise.all([base, base + 1, base + 2].map(answer));
      expect(answers.filter((a) => a === 'hello from v1 in staging')).toHaveLength(2);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });

  it('a container removed by hand shows as missing and drifted; the same release under a new digest is re-deployed', async () => {
    const base = await freePortRange(3);
    const instance = instanceFor('web');
    const v1 = webTarget('v1', base);
    try {
      await converge(h, instance, v1);
      await h.docker.getContainer((await slotContainer(instance, 1)).Id).remove({ force: true });
      const seen = (await fetchState(h, instance, v1)).objects[0]!;
      expect(seen).toMatchObject({ status: 'PENDING', versions: [{ version: 'v1', replicas: 2, availableReplicas: 1, active: true, drifted: true }] });
      expect(seen.message).toContain('1 replica of v1 missing (removed by hand, or never created)');
      await converge(h, instance, v1);
      expect(await containersOf(h, instance)).toHaveLength(2);

      // The config changed under the release (another digest): every replica is replaced, one at a time.
      const changed = webTarget('v1', base, { env: { VERSION: 'v1', EXTRA: 'yes' } }, 'digest-v1-changed');
      const before = (await fetchState(h, instance, changed)).objects[0]!;
      expect(before.versions[0]).toMatchObject({ version: 'v1', drifted: true });
      expect(before.message).toMatch(/drifted: it runs this release's configuration of digest digest-v1, the target's is digest-v1-ch;?/);
      const { state } = await converge(h, instance, changed);
      expect(state.objects[0]!.versions).toEqual([{ version: 'v1', replicas: 2, availableReplicas: 2, active: true, drifted: false, restarts: 0 }]);
      const labels = (await containersOf(h, instance)).map((c) => c.Labels[LABEL.digest]);
      expect(labels).toEqual(['digest-v1-changed', 'digest-v1-changed']);
    } finally {
      await plugin.delete!(deleteCtx(h.config, instance));
    }
  });
});
