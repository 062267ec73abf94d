import type { FetchContext, ObservedState } from '@driftless/plugin-sdk';
import { assess } from './assess.js';
import { formatTail, tailLines } from './logs.js';
import { observe } from './observe.js';
import { instanceDir, logPath, readRecords, readRestarts } from './records.js';
import { parseSpec, resolveStateDir, type ProcessConfig } from './schema.js';

/**
 * What runs for one instance, from the state dir and /proc only: a fresh server (or another worker
 * thread) sees the same thing. Reads and probes; never starts, stops or removes anything, not
 * even records of dead replicas (apply clears those).
 */
export async function fetchState(ctx: FetchContext<ProcessConfig>): Promise<ObservedState> {
  const dir = instanceDir(resolveStateDir(ctx.config, ctx.dataDir), ctx.instance);
  const views = await assess(await readRecords(dir), ctx.signal);
  // An aborted probe reads as "unhealthy": never report or act on that.
  ctx.signal.throwIfAborted();
  const wanted = ctx.target ? parseSpec(ctx.target.spec).replicas : undefined;
  const seen = observe(ctx.instance.service, views, ctx.target, wanted, Date.now());
  if (!seen) return { objects: [] };
  const restarts = await readRestarts(dir);
  for (const v of seen.object.versions) v.restarts = restarts[v.version] ?? 0;
  if (seen.blame) {
    const tail = await tailLines(logPath(dir, seen.blame.id));
    seen.object.message = `${seen.object.message ?? ''}${formatTail(tail)}`;
  }
  return { objects: [seen.object] };
}
