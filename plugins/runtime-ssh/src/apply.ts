import { RetryableError, type ApplyContext, type ApplyResult } from '@driftless/plugin-sdk';
import { HostUnreachable } from './connection.js';
import { DeployFailed, deployHost, waitHealthy } from './deploy.js';
import { inspect, type HostView } from './host-state.js';
import { parseConfig, parseSpec, requireHosts, type SshRuntimeConfig } from './parse.js';
import { plan } from './plan.js';
import { describe } from './record.js';
import { instanceDir } from './remote.js';
import { withSessions } from './sessions.js';

/** Ask the engine back soon while hosts remain; a step already waited for health. */
const RECHECK_MS = 100;

/**
 * One bounded step towards ctx.target across the fleet (the engine calls again while fetch shows
 * work left): look at every selected host, then — in parallel — wait for hosts starting the
 * target, deploy it on broken hosts and on as many old ones as maxUnavailable allows (see plan).
 * At a progressive rollout's step (ctx.target.step) only `step.replicas` hosts are moved to the
 * target (see stepHosts); the others keep what they run. Idempotent: on a converged fleet it only looks.
 *
 * An unreachable host never makes apply throw (the rollout holds and fetch reports the host); a
 * host whose new process does not become healthy does: RetryableError with its log tail, after
 * the other hosts' work of this step is done.
 */
export async function applyStep(ctx: ApplyContext<SshRuntimeConfig>): Promise<ApplyResult> {
  const config = parseConfig(ctx.config);
  const spec = parseSpec(ctx.target.spec, true);
  const hosts = requireHosts(config.hosts, spec.hostSelector);
  const dirOf = (host: (typeof hosts)[number]) => instanceDir(host.baseDir, ctx.instance);

  return withSessions(hosts, config, ctx.signal, async (reaches) => {
    const views: HostView[] = await Promise.all(
      reaches.map((r) => (r.session ? inspect(r.session, dirOf(r.host)) : { host: r.host, kind: 'unreachable' as const, message: r.error.message })),
    );
    ctx.signal.throwIfAborted();
    if (views.every((v) => v.kind === 'unreachable')) {
      throw new RetryableError(`no host answered: ${views.map((v) => (v.kind === 'unreachable' ? v.message : '')).join('; ')}`);
    }
    const step = plan(views, ctx.target, spec.maxUnavailable, Date.now(), ctx.target.step);
    const sessionOf = (view: HostView) => reaches.find((r) => r.host.name === view.host.name)!.session!;

    const work = [
      ...step.await.map(async (view) => {
        if (view.kind !== 'deployed') return '';
        await waitHealthy(sessionOf(view), view.record, ctx.signal);
        return `${view.host.name}: ${describe(view.record)} is healthy`;
      }),
      ...step.deploy.map((view) => deployHost(sessionOf(view), view, dirOf(view.host), ctx.target, spec, ctx.signal)),
    ];
    const outcomes = await Promise.allSettled(work);
    ctx.signal.throwIfAborted();

    const done: string[] = [];
    const lost: string[] = [];
    const failed: string[] = [];
    for (const o of outcomes) {
      if (o.status === 'fulfilled') done.push(o.value);
      else if (o.reason instanceof HostUnreachable) lost.push(o.reason.message);
      else if (o.reason instanceof DeployFailed) failed.push(o.reason.message);
      else throw o.reason; // TerminalError (bad spec for a host) and anything unexpected
    }
    if (failed.length > 0) {
      throw new RetryableError([...failed, ...done].join('; '));
    }

    const unreachable = views.filter((v) => v.kind === 'unreachable').map((v) => `${v.host.name} unreachable (${v.kind === 'unreachable' ? v.message : ''})`);
    const notes = [...lost, ...unreachable, ...(step.held ? [step.held] : [])];
    const left = step.remaining + lost.length;
    if (done.length === 0) {
      const at = ctx.target.step;
      const idle = at
        ? `nothing to do: step ${at.index + 1} of ${at.count} runs ${ctx.target.version} on ${step.stepHosts!.size} of ${views.length} host(s), the others keep what they run`
        : `nothing to do: ${views.length} of ${views.length} host(s) run ${ctx.target.version}`;
      const message = notes.length > 0 ? `waiting: ${notes.join('; ')}` : idle;
      return { message };
    }
    const tail = left > 0 ? `; ${left} host(s) to go` : '';
    return { message: [done.join('; ') + tail, ...notes].join('; '), recheckAfterMs: RECHECK_MS };
  });
}
