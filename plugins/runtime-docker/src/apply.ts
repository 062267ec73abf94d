import type Docker from 'dockerode';
import { RetryableError, type ApplyContext, type ApplyResult } from '@driftless/plugin-sdk';
import type { Replica } from './classify.js';
import { connect } from './client.js';
import { engineClock } from './clock.js';
import { parseConfig, type DockerConfig, type DockerRuntimeConfig } from './config.js';
import { ensureImage, type ImageInfo } from './image.js';
import { formatTail, tailLines } from './logs.js';
import { describeReplica } from './observe.js';
import { createReplica, removeContainer, startContainer, takeOver, waitReady } from './ops.js';
import { cleanup, rollout, type Rollout } from './plan.js';
import { survey, type SurveyInput } from './survey.js';
import { buildTemplate, type ServiceTemplate } from './template.js';

/** Ask the engine back soon while a rollout has steps left; a step already waited for health. */
const RECHECK_MS = 100;

/** A replica of the target that did not come up: the step goes on, then apply throws with these. */
class StartFailure {
  constructor(readonly message: string) {}
}

interface Step {
  ctx: ApplyContext<DockerRuntimeConfig>;
  docker: Docker;
  config: DockerConfig;
  template: ServiceTemplate;
  input: Omit<SurveyInput, 'docker'>;
  done: string[];
  failures: StartFailure[];
}

async function blameWithLogs(s: Step, r: Replica, why: string): Promise<StartFailure> {
  const tail = await tailLines(s.docker, r.view.id, s.ctx.signal);
  return new StartFailure(`${describeReplica(r)} ${why}${formatTail(tail)}`);
}

/** Waits for a container of the target; a failure is recorded (with its log tail), not thrown. */
async function awaitReplica(s: Step, id: string): Promise<boolean> {
  const { replica, condition } = await waitReady(s.docker, s.input, id);
  if (condition.kind === 'ready') return true;
  if (condition.kind === 'restarting') {
    s.done.push(`${describeReplica(replica)} ${condition.why}; Docker restarts it`);
    return false;
  }
  s.failures.push(await blameWithLogs(s, replica, condition.kind === 'failed' ? condition.why : 'did not start'));
  return false;
}

async function create(s: Step, slots: number[], carry: number[]): Promise<boolean[]> {
  const info: ImageInfo = await ensureImage(s.docker, s.config, s.template.image, s.template.pull, s.ctx.signal);
  return Promise.all(
    slots.map(async (slot) => {
      const id = await createReplica(s.docker, s.config, { template: s.template, target: s.ctx.target, instance: s.ctx.instance, slot, carriedRestarts: carry.shift() ?? 0, image: info }, s.ctx.signal);
      const ok = await awaitReplica(s, id);
      if (ok) s.done.push(`started replica ${slot} of ${s.ctx.target.version}`);
      return ok;
    }),
  );
}

async function remove(s: Step, replicas: Replica[], why: string): Promise<void> {
  if (replicas.length === 0) return;
  await Promise.all(replicas.map((r) => removeContainer(s.docker, s.config, r.view, s.ctx.signal)));
  s.done.push(`removed ${replicas.map(describeReplica).join(', ')} (${why})`);
}

async function runRollout(s: Step, plan: Rollout, carry: number[]): Promise<void> {
  switch (plan.kind) {
    case 'none':
    case 'hold':
      return;
    case 'create': {
      const started = await create(s, plan.slots, carry);
      // Old containers go only once their replacements serve: capacity never drops (start-first).
      if (started.every(Boolean)) await remove(s, plan.thenRemove, `${plan.why} serve`);
      return;
    }
    case 'replace':
      await remove(s, plan.remove, `stop-first: ${plan.why}`);
      await create(s, plan.slots, carry);
      return;
    case 'remove':
      await remove(s, plan.remove, plan.why);
  }
}

/**
 * One bounded step towards ctx.target (the engine calls again while fetch shows work left; see
 * plan.ts): remove containers that serve nothing, take over adopted ones that run the target,
 * wait for starting ones, then create / replace / remove within `update`. Idempotent: on a
 * converged instance it only looks. A replica of the target that exits or stays unhealthy makes
 * apply throw a RetryableError with its log tail (the old replicas keep serving); a container
 * that crash-loops under a restart policy is left to Docker and shows in fetch's `restarts`.
 */
export async function applyStep(ctx: ApplyContext<DockerRuntimeConfig>): Promise<ApplyResult> {
  ctx.signal.throwIfAborted();
  const config = parseConfig(ctx.config);
  const template = buildTemplate({ spec: ctx.target.spec, env: ctx.target.env, config });
  const docker = connect(config);
  const now = await engineClock(docker, config, ctx.signal);
  const input = { config, instance: ctx.instance, target: ctx.target, template, signal: ctx.signal, now };
  const s: Step = { ctx, docker, config, template, input, done: [], failures: [] };

  let replicas = await survey({ docker, ...input });
  const { remove: broken, carry } = cleanup(replicas, ctx.target);
  for (const r of broken) {
    await removeContainer(docker, config, r.view, ctx.signal);
    s.done.push(`removed ${describeReplica(r)}: it ${r.condition.kind === 'failed' || r.condition.kind === 'restarting' ? r.condition.why.replace(/^is /, 'was ') : 'served nothing'}`);
  }
  const gone = new Set(broken.map((r) => r.view.id));
  replicas = replicas.filter((r) => !gone.has(r.view.id));

  for (const r of replicas.filter((r) => r.role === 'current' && !r.view.managed && !r.view.takenOver)) {
    const name = await takeOver(docker, config, r, ctx.instance, ctx.signal);
    s.done.push(`took over container ${r.view.name} as ${name} (it runs what ${ctx.target.version} asks for)`);
  }

  // Containers of the target an earlier call started (or a kill caught mid-way) are waited for;
  // one that fails meanwhile is replaced by this step's rollout, like any broken container.
  const starting = replicas.filter((r) => r.role === 'current' && r.condition.kind === 'starting');
  if (starting.length > 0) {
    await Promise.all(starting.filter((r) => r.view.state === 'created').map((r) => startContainer(docker, config, r.view.id, ctx.signal)));
    const outcomes = await Promise.all(starting.map((r) => waitReady(docker, input, r.view.id)));
    for (const { replica, condition } of outcomes) {
      if (condition.kind === 'ready') s.done.push(`${describeReplica(replica)} became ready`);
      else if (condition.kind === 'restarting') s.done.push(`${describeReplica(replica)} ${condition.why}; Docker restarts it`);
      else {
        const tail = await tailLines(docker, replica.view.id, ctx.signal);
        await removeContainer(docker, config, replica.view, ctx.signal);
        carry.push(replica.restarts + 1);
        s.done.push(`removed ${describeReplica(replica)}: it ${condition.kind === 'failed' ? condition.why : 'did not start'}${formatTail(tail)}`);
      }
    }
    carry.sort((a, b) => b - a);
    // Judge the rest of the step on what runs now.
    replicas = (await survey({ docker, ...input })).filter((r) => r.condition.kind !== 'failed');
  }

  const plan = rollout(replicas, template, ctx.target, ctx.target.step);
  await runRollout(s, plan, carry);
  ctx.signal.throwIfAborted();

  if (s.failures.length > 0) {
    throw new RetryableError([...s.failures.map((f) => f.message), ...s.done].join('; '));
  }
  if (s.done.length === 0) {
    return { message: plan.kind === 'hold' ? `waiting: ${plan.why}` : `nothing to do: ${plan.why}` };
  }
  const rest = plan.kind === 'hold' ? [`waiting: ${plan.why}`] : [];
  return { message: [...s.done, ...rest].join('; '), recheckAfterMs: RECHECK_MS };
}
