import type { ReplicaView } from './assess.js';
import type { ReplicaRecord } from './records.js';

/** The one thing an apply call does next. */
export type Step =
  /** A replica of the target is alive but not healthy yet (an earlier apply was cut short): wait for it, then stop `stale`. */
  | { kind: 'await'; view: ReplicaView; stale: ReplicaRecord[] }
  /**
   * Slot has no replica of the target: start one. `stopFirst` (fixed ports, basePort set): stop
   * `stale` before starting, since the new replica needs their port. Otherwise start, wait until
   * healthy, then stop `stale` (a surge of one: capacity never drops).
   */
  | { kind: 'start'; slot: number; stale: ReplicaRecord[]; stopFirst: boolean }
  /** Replicas nobody wants: old versions in settled slots, duplicates, slots beyond `replicas`. */
  | { kind: 'stop'; records: ReplicaRecord[]; why: string }
  | { kind: 'none' };

export interface PlanInput {
  /** Live replicas only: apply removes the records of dead ones before planning. */
  views: ReplicaView[];
  version: string;
  digest: string;
  replicas: number;
  /** A progressive rollout's step: only slots below this run the target; the others keep what they run. */
  stepReplicas?: number;
  basePort?: number;
}

/**
 * Pure: what to do next, slot by slot from slot 0, so a rolling update replaces one replica per
 * apply call and the rest keep serving. At a rollout step only the first `stepReplicas` slots are
 * moved to the target; the slots above keep the replicas they have. A replica is "current" when it runs the target version
 * with the target digest; a same-version replica with another digest is replaced like an old
 * version (that is how spec drift heals).
 */
export function plan(input: PlanInput): Step {
  const current = (v: ReplicaView) => v.record.version === input.version && v.record.digest === input.digest;
  const inSlot = (slot: number) => input.views.filter((v) => v.record.slot === slot);

  const onTarget = Math.min(input.replicas, input.stepReplicas ?? input.replicas);
  for (let slot = 0; slot < onTarget; slot++) {
    const views = inSlot(slot);
    const ready = views.filter((v) => current(v) && v.healthy);
    const starting = views.filter((v) => current(v) && !v.healthy);
    const stale = views.filter((v) => !current(v)).map((v) => v.record);

    if (ready.length === 0 && starting.length > 0) {
      return { kind: 'await', view: starting[0]!, stale };
    }
    if (ready.length === 0) {
      if (input.basePort === undefined) return { kind: 'start', slot, stale, stopFirst: false };
      // The port is fixed: also free it from an old replica of another slot (basePort changed).
      const port = input.basePort + slot;
      const holders = input.views.filter((v) => !current(v) && v.record.slot !== slot && v.record.port === port);
      return { kind: 'start', slot, stale: [...stale, ...holders.map((v) => v.record)], stopFirst: true };
    }
    const extra = [...ready.slice(1), ...starting].map((v) => v.record);
    if (stale.length > 0 || extra.length > 0) {
      return { kind: 'stop', records: [...stale, ...extra], why: `replica ${slot} of ${input.version} is serving` };
    }
  }

  const beyond = input.views.filter((v) => v.record.slot >= input.replicas).map((v) => v.record);
  if (beyond.length > 0) return { kind: 'stop', records: beyond, why: `scaling to ${input.replicas} replica(s)` };
  return { kind: 'none' };
}
