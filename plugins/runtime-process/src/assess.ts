import { probe } from './net.js';
import { liveness } from './proc.js';
import type { ReplicaRecord } from './records.js';

/** A record joined with what the machine says about it right now. */
export interface ReplicaView {
  record: ReplicaRecord;
  alive: boolean;
  /** alive, and its health check (if any) answered 2xx. */
  healthy: boolean;
}

/** Short on purpose: fetch runs under a few-second timeout and probes every replica. */
export const PROBE_TIMEOUT_MS = 1_000;

export async function assessOne(record: ReplicaRecord, signal?: AbortSignal, timeoutMs = PROBE_TIMEOUT_MS): Promise<ReplicaView> {
  const alive = record.failure === undefined && liveness(record.pid, record.procStartTicks) === 'alive';
  if (!alive) return { record, alive, healthy: false };
  const check = record.healthCheck;
  const healthy = check ? await probe(record.port, check.path, timeoutMs, signal) : true;
  return { record, alive, healthy };
}

/** Looks at every replica at once (probes run in parallel). Reads only: safe for fetch. */
export function assess(records: ReplicaRecord[], signal?: AbortSignal): Promise<ReplicaView[]> {
  return Promise.all(records.map((r) => assessOne(r, signal)));
}

/** Alive but still unhealthy after the time its health check allows for starting. */
export function overdue(view: ReplicaView, now: number): boolean {
  const check = view.record.healthCheck;
  if (!view.alive || view.healthy || !check) return false;
  return now - Date.parse(view.record.startedAt) > check.timeoutSeconds * 1000;
}
