import { RetryableError, type ApplyContext, type ApplyResult } from '@driftless/plugin-sdk';
import { assess, type ReplicaView } from './assess.js';
import { formatTail, tailLines } from './logs.js';
import { describeReplica } from './observe.js';
import { plan, type Step } from './plan.js';
import { stopProcessGroup } from './proc.js';
import { countRestarts, instanceDir, logPath, readRecords, removeRecord, writeRecord, type ReplicaRecord } from './records.js';
import { recoverIntents } from './intents.js';
import { markFailed, startReplica, stopReplica, waitReady } from './replica.js';
import { resolveRunAs } from './run-as.js';
import { parseSpec, resolveStateDir, type ProcessConfig, type ProcessSpec } from './schema.js';

/** Ask the engine back soon while a rollout has steps left; a step already waited for health. */
const RECHECK_MS = 100;

/**
 * One bounded step towards ctx.target (the engine calls again while fetch shows work left):
 * 1. forget replicas that died (their process group is swept), noting crashes;
 * 2. do what `plan` says: wait for a starting replica, start one replica (and stop the old one of
 *    its slot), or stop unwanted replicas.
 * Idempotent: on a converged instance it only looks. A replica that never becomes healthy is
 * stopped, kept as a failed record (fetch reports it), and the call throws a RetryableError with
 * its log tail; the old replicas keep serving.
 */
export async function applyStep(ctx: ApplyContext<ProcessConfig>): Promise<ApplyResult> {
  const spec = parseSpec(ctx.target.spec);
  const dir = instanceDir(resolveStateDir(ctx.config, ctx.dataDir), ctx.instance);
  // Replicas a crash left started but unrecorded become records first (intents.ts).
  const notes: string[] = await recoverIntents(dir);
  const views = await assess(await readRecords(dir), ctx.signal);
  // An aborted probe reads as "unhealthy": never report or act on that.
  ctx.signal.throwIfAborted();

  const crashed = new Map<number, ReplicaRecord>();
  for (const { record } of views.filter((v) => !v.alive)) {
    await stopProcessGroup(record.pid, record.procStartTicks); // leftovers in its group, if any
    await removeRecord(dir, record, `replica-${record.slot}.last-failure.log`);
    if (record.failure) notes.push(`cleared failed ${describeReplica(record)}`);
    else crashed.set(record.slot, record);
  }
  // A replica that had started and then died is a restart of its version (crash-loop detection).
  const crashesByVersion = new Map<string, number>();
  for (const r of crashed.values()) crashesByVersion.set(r.version, (crashesByVersion.get(r.version) ?? 0) + 1);
  for (const [version, n] of crashesByVersion) await countRestarts(dir, version, n, [ctx.target.version, ...views.map((v) => v.record.version)]);
  const live = views.filter((v) => v.alive);
  const step = plan({ views: live, version: ctx.target.version, digest: ctx.target.digest, replicas: spec.replicas, stepReplicas: ctx.target.step?.replicas, basePort: spec.basePort });
  const done = await runStep(step, dir, ctx, spec, live);
  const crash = step.kind === 'start' ? crashed.get(step.slot) : undefined;
  if (crash) crashed.delete(crash.slot);
  for (const r of crashed.values()) notes.push(`${describeReplica(r)} had died`);

  const head = crash ? `restarted crashed replica ${crash.slot} (pid ${crash.pid}): ` : '';
  const message = [head + done, ...notes].join('; ');
  const changed = step.kind !== 'none' || notes.length > 0 || crash !== undefined;
  return changed ? { message, recheckAfterMs: RECHECK_MS } : { message };
}

async function runStep(step: Step, dir: string, ctx: ApplyContext<ProcessConfig>, spec: ProcessSpec, live: ReplicaView[]): Promise<string> {
  switch (step.kind) {
    case 'none': {
      const ready = live.filter((v) => v.healthy && v.record.version === ctx.target.version).length;
      const step = ctx.target.step;
      if (step) return `nothing to do: step ${step.index + 1} of ${step.count} runs ${ready} of ${spec.replicas} replicas on ${ctx.target.version}`;
      return `nothing to do: ${ready} of ${spec.replicas} replicas of ${ctx.target.version} available`;
    }
    case 'stop': {
      await Promise.all(step.records.map((r) => stopReplica(dir, r)));
      return `stopped ${step.records.map(describeReplica).join(', ')} (${step.why})`;
    }
    case 'await': {
      await ensureReady(dir, step.view.record, ctx, serving(live, [step.view.record]));
      return `${describeReplica(step.view.record)} is healthy${await stopAll(dir, step.stale)}`;
    }
    case 'start': {
      // Messages list what happened in the order it happened.
      const before = step.stopFirst ? (await stopAll(dir, step.stale)).replace(/^, /, '') : '';
      const { record, child } = await startReplica(dir, ctx, spec, step.slot, resolveRunAs(ctx.config));
      await ensureReady(dir, record, ctx, serving(live, step.stopFirst ? step.stale : []), child);
      const after = step.stopFirst ? '' : await stopAll(dir, step.stale);
      return `${before ? `${before}, ` : ''}started ${describeReplica(record)}${after}`;
    }
  }
}

/** How many healthy replicas still serve, leaving out `gone` (stopped or being started). */
function serving(live: ReplicaView[], gone: ReplicaRecord[]): number {
  return live.filter((v) => v.healthy && !gone.some((g) => g.id === v.record.id)).length;
}

async function stopAll(dir: string, records: ReplicaRecord[]): Promise<string> {
  if (records.length === 0) return '';
  await Promise.all(records.map((r) => stopReplica(dir, r)));
  return `, stopped ${records.map(describeReplica).join(', ')}`;
}

/** Waits for a new replica; when it fails, marks it failed and throws with its log tail. */
async function ensureReady(
  dir: string,
  record: ReplicaRecord,
  ctx: ApplyContext<ProcessConfig>,
  servingCount: number,
  child?: Parameters<typeof waitReady>[2],
): Promise<void> {
  const readiness = await waitReady(record, ctx.signal, child);
  if (readiness.ok) {
    // When it became ready, for people and tests reading the state dir (the runtime's own record of a rollout).
    if (!record.readyAt) await writeRecord(dir, { ...record, readyAt: new Date().toISOString() });
    return;
  }
  await markFailed(dir, record, readiness.reason);
  const tail = await tailLines(logPath(dir, record.id));
  throw new RetryableError(
    `${describeReplica(record)} ${readiness.reason}${formatTail(tail)}; ${servingCount} other replica(s) keep serving`,
  );
}
