import { RetryableError, type FetchContext, type ObservedState } from '@driftless/plugin-sdk';
import { inspect, type HostView } from './host-state.js';
import { observeHeld, observeHost } from './observe.js';
import { parseConfig, parseSpec, selectHosts, type Host, type SshRuntimeConfig } from './parse.js';
import { instanceDir } from './remote.js';
import { withSessions } from './sessions.js';
import { stepHosts } from './step.js';

/** Every host's view of the instance, read over one connection per host. Reads only. */
export async function inspectHosts(ctx: FetchContext<SshRuntimeConfig>, hosts: Host[]): Promise<HostView[]> {
  const config = parseConfig(ctx.config);
  return withSessions(hosts, config, ctx.signal, (reaches) =>
    Promise.all(
      reaches.map((r): Promise<HostView> | HostView =>
        r.session ? inspect(r.session, instanceDir(r.host.baseDir, ctx.instance)) : { host: r.host, kind: 'unreachable', message: r.error.message },
      ),
    ),
  );
}

/**
 * What runs on each host, from the hosts themselves (their current.json and /proc): one object per
 * selected host. Never starts, stops or writes anything. One unreachable host is that object
 * FAILED; only when no host answers does fetch throw (RetryableError). At a rollout step
 * (target.step) the hosts the step holds back are reported on their own (observeHeld).
 */
export async function fetchState(ctx: FetchContext<SshRuntimeConfig>): Promise<ObservedState> {
  const config = parseConfig(ctx.config);
  const hosts = ctx.target ? selectHosts(config.hosts, parseSpec(ctx.target.spec).hostSelector) : config.hosts;
  if (hosts.length === 0) return { objects: [] };
  const views = await inspectHosts(ctx, hosts);
  ctx.signal.throwIfAborted();
  const down = views.filter((v) => v.kind === 'unreachable');
  if (down.length === views.length) {
    throw new RetryableError(`no host answered: ${down.map((v) => `${v.host.name}: ${v.kind === 'unreachable' ? v.message : ''}`).join('; ')}`);
  }
  const now = Date.now();
  const target = ctx.target;
  // At a rollout step only the step's hosts are measured against the target; the others keep what they run.
  const chosen = target?.step ? stepHosts(views, target, target.step, now) : undefined;
  return { objects: views.map((v) => (chosen && target && !chosen.has(v.host.name) ? observeHeld(v, target, now) : observeHost(v, target, now))) };
}
