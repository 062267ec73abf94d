import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { RetryableError, type ApplyContext } from '@driftless/plugin-sdk';
import { removeIntent, writeIntent } from './intents.js';
import { launch, replicaEnv } from './launch.js';
import { freePort, portTaken, probe } from './net.js';
import { liveness, stopProcessGroup } from './proc.js';
import { logPath, newRecordId, removeRecord, writeRecord, type ReplicaRecord } from './records.js';
import type { RunAs } from './run-as.js';
import type { ProcessSpec } from './schema.js';

/** Without a health check a fresh replica must stay up this long to count as started. */
export const SETTLE_MS = 500;

/**
 * Starts one replica of ctx.target in `slot`. Its record is written as an intent first and the
 * process carries the intent's marker, so a crash at any point leaves either nothing or something
 * the next apply adopts (intents.ts); never an unmanaged process.
 */
export async function startReplica(
  dir: string,
  ctx: Pick<ApplyContext<unknown>, 'target' | 'instance'>,
  spec: ProcessSpec,
  slot: number,
  runAs?: RunAs,
): Promise<{ record: ReplicaRecord; child?: ChildProcess }> {
  const { target, instance } = ctx;
  const port = spec.basePort !== undefined ? spec.basePort + slot : await freePort();
  if (spec.basePort !== undefined && (await portTaken(port))) {
    throw new RetryableError(`port ${port} of replica ${slot} is in use by a process this runtime did not start`);
  }
  const id = newRecordId(slot, target.version);
  await mkdir(dir, { recursive: true });
  const marker = randomBytes(12).toString('hex');
  const planned: ReplicaRecord = {
    id,
    slot,
    version: target.version,
    releaseId: target.releaseId,
    digest: target.digest,
    pid: 0,
    pgid: 0,
    procStartTicks: null,
    port,
    startedAt: new Date().toISOString(),
    command: spec.command,
    args: spec.args,
    cwd: spec.cwd,
    marker,
    ...(runAs ? { user: runAs.name } : {}),
    ...(spec.healthCheck ? { healthCheck: spec.healthCheck } : {}),
  };
  await writeIntent(dir, planned);
  const env = replicaEnv({ targetEnv: target.env, specEnv: spec.env, port, release: target.version, instanceId: instance.instanceId, marker, runAs });
  let launched: Awaited<ReturnType<typeof launch>>;
  try {
    launched = await launch({ command: spec.command, args: spec.args, cwd: spec.cwd, env, logFile: logPath(dir, id), runAs });
  } catch (err) {
    await removeIntent(dir, id);
    throw err;
  }
  const record: ReplicaRecord = { ...planned, pid: launched.pid, pgid: launched.pid, procStartTicks: launched.procStartTicks };
  try {
    await writeRecord(dir, record);
  } catch (err) {
    // An unrecorded process would be invisible to fetch and never stopped: don't leave one.
    await stopProcessGroup(record.pid, record.procStartTicks);
    await removeIntent(dir, id);
    throw err;
  }
  await removeIntent(dir, id);
  return { record, child: launched.child };
}

export type Readiness = { ok: true } | { ok: false; reason: string };

/**
 * Waits until the replica answers its health check (or, without one, stays up SETTLE_MS), bounded
 * by the health timeout counted from its start, so a wait resumed by a later apply does not start
 * the clock again. Throws a RetryableError when ctx.signal aborts; the replica keeps running and
 * the next apply resumes waiting for it.
 */
export async function waitReady(record: ReplicaRecord, signal: AbortSignal, child?: ChildProcess): Promise<Readiness> {
  let exited: string | undefined;
  child?.once('exit', (code, sig) => {
    exited = sig ? `was killed by ${sig} during start` : `exited with code ${code} during start`;
  });
  const check = record.healthCheck;
  const deadline = Date.parse(record.startedAt) + (check ? check.timeoutSeconds * 1000 : SETTLE_MS);
  for (;;) {
    if (signal.aborted) {
      throw new RetryableError(`interrupted while waiting for replica ${record.slot} of ${record.version} to become healthy; the next apply resumes waiting`);
    }
    if (exited) return { ok: false, reason: exited };
    if (liveness(record.pid, record.procStartTicks) !== 'alive') return { ok: false, reason: exited ?? 'exited during start' };
    const remaining = deadline - Date.now();
    if (check) {
      if (await probe(record.port, check.path, Math.max(100, Math.min(1_000, remaining)), signal)) return { ok: true };
    } else if (remaining <= 0) {
      return { ok: true };
    }
    if (Date.now() >= deadline) {
      return { ok: false, reason: `was not healthy after ${check?.timeoutSeconds}s (GET ${check?.path})` };
    }
    await delay(Math.min(100, Math.max(10, remaining)), undefined, { signal }).catch(() => undefined);
  }
}

/** Stops a replica and forgets it. */
export async function stopReplica(dir: string, record: ReplicaRecord): Promise<void> {
  await stopProcessGroup(record.pid, record.procStartTicks);
  await removeRecord(dir, record);
}

/**
 * Stops a replica that failed to start but keeps its record, marked, with its log: fetch then
 * reports the instance FAILED with the reason and the log tail until the next apply clears it.
 */
export async function markFailed(dir: string, record: ReplicaRecord, reason: string): Promise<ReplicaRecord> {
  await stopProcessGroup(record.pid, record.procStartTicks);
  const failed = { ...record, failure: `failed to start: ${reason}` };
  await writeRecord(dir, failed);
  return failed;
}
