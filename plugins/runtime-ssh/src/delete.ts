import { RetryableError, type DeleteContext } from '@driftless/plugin-sdk';
import { HostUnreachable, type SshSession } from './connection.js';
import { inspect } from './host-state.js';
import { parseConfig, type SshRuntimeConfig } from './parse.js';
import { instanceDir, removeScript } from './remote.js';
import { withSessions } from './sessions.js';

async function removeFrom(session: SshSession, dir: string): Promise<void> {
  const view = await inspect(session, dir);
  if (view.kind === 'unreachable') throw new HostUnreachable(view.message);
  const r = view.kind === 'deployed' ? view.record : undefined;
  const res = await session.script(removeScript(dir, r ? { ...r, graceSeconds: r.stopTimeoutSeconds } : undefined));
  if (res.code !== 0) throw new Error(`cannot remove ${dir}: ${res.stderr.trim() || `exit code ${res.code}`}`);
}

/**
 * The delete hook: on every configured host, stop the instance's process and remove its directory
 * (record, releases, logs). Hosts that cannot be reached are named in a RetryableError after the
 * others are done, so a retry finishes the job.
 */
export async function deleteInstance(ctx: DeleteContext<SshRuntimeConfig>): Promise<void> {
  const config = parseConfig(ctx.config);
  await withSessions(config.hosts, config, ctx.signal, async (reaches) => {
    const results = await Promise.allSettled(
      reaches.map((r) => (r.session ? removeFrom(r.session, instanceDir(r.host.baseDir, ctx.instance)) : Promise.reject(r.error))),
    );
    ctx.signal.throwIfAborted();
    const problems = results.flatMap((res, i) => (res.status === 'rejected' ? [`${reaches[i]!.host.name}: ${(res.reason as Error).message}`] : []));
    if (problems.length > 0) throw new RetryableError(`delete left work on ${problems.length} host(s): ${problems.join('; ')}`);
  });
}
