/**
 * Crash-loop bookkeeping (pure): how often the target release went down after it had been up
 * (heal cycles the engine saw) and how often the runtime says it restarted it (ObservedVersion
 * `restarts`). Both count the same events for a runtime that restarts on apply, so the larger of
 * the two counts, never their sum; a runtime that restarts by itself (a restart policy) is seen
 * through `restarts` alone.
 */
import type { TickResult } from '../../worker/types.js';
import { formatDuration } from './gates/format.js';
import type { Draft, InstanceContext } from './draft.js';
import { labelOf, runtimeVersionOf } from './draft.js';

const MAX_MARKS = 20;

export function trackCrashes(ctx: InstanceContext, draft: Draft, result: TickResult): void {
  const es = draft.es;
  const now = ctx.now;
  const window = ctx.settings.crashLoopWindowMs;
  const version = runtimeVersionOf(draft);
  const reported = restartsOf(result, version);
  if (reported !== undefined && version) {
    const before = es.restarts?.releaseId === version ? es.restarts.count : undefined;
    if (before !== undefined && reported > before) es.restartTimes = mark(es.restartTimes, now, Math.min(MAX_MARKS, reported - before));
    es.restarts = { releaseId: version, count: reported };
  }
  const upBefore = es.stableSince !== undefined || (draft.convergedReleaseId === draft.targetReleaseId && ['CONVERGED', 'DEGRADED', 'WAITING'].includes(ctx.instance.status));
  if (result.converged) {
    es.down = undefined;
  } else {
    if (upBefore && !es.down) es.heals = mark(es.heals, now, 1);
    if (upBefore || es.down) {
      es.down = true;
      const why = result.reasons.find((r) => r.code !== 'APPLYING' && r.code !== 'PROGRESSING') ?? result.reasons[0];
      if (why) es.lastCrash = why.message;
    }
    es.stableSince = undefined;
  }
  es.heals = prune(es.heals, now - window);
  es.restartTimes = prune(es.restartTimes, now - window);
}

export interface CrashLoop {
  count: number;
  message: string;
}

/** A crash loop when restarts or heal cycles within the window reach the threshold. */
export function crashLoopOf(ctx: InstanceContext, draft: Draft): CrashLoop | undefined {
  const es = draft.es;
  const count = Math.max(es.heals?.length ?? 0, es.restartTimes?.length ?? 0);
  if (count < ctx.settings.crashLoopRestarts) return undefined;
  const last = es.lastCrash ? `; last: ${es.lastCrash}` : '';
  return { count, message: `${labelOf(ctx, draft.targetReleaseId)} keeps crashing in ${ctx.channel.name}: ${count} restarts within ${formatDuration(ctx.settings.crashLoopWindowMs)}${last}` };
}

/** Sum of the restarts the runtime reported for `version`, if it reports any. */
function restartsOf(result: TickResult, version: string | null): number | undefined {
  let total: number | undefined;
  for (const o of result.observed?.objects ?? []) {
    for (const v of o.versions) {
      if (v.version === version && v.restarts !== undefined) total = (total ?? 0) + v.restarts;
    }
  }
  return total;
}

function mark(list: number[] | undefined, at: number, times: number): number[] {
  return [...(list ?? []), ...new Array<number>(times).fill(at)].slice(-MAX_MARKS);
}

function prune(list: number[] | undefined, after: number): number[] | undefined {
  const kept = (list ?? []).filter((t) => t > after);
  return kept.length ? kept : undefined;
}
