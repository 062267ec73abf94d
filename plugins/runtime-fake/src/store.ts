/**
 * Typed access to the fake's state: instance records live once per process in shared memory
 * (shared-states.ts), faults, latency and apply calls in the replicated map (replica.ts).
 * Used by the plugin hooks (worker threads) and the control API (main thread) alike.
 */
import { isMainThread } from 'node:worker_threads';
import { replica } from './replica.js';
import { sharedStates, type SharedStates, type StoreHandle } from './shared-states.js';
import { keys, matches, type ApplyCall, type FakeInstanceState, type Fault, type Subject } from './model.js';

/** The process's instance records; a store created here is announced to threads already running. */
export function states(): SharedStates {
  let created = false;
  const store = sharedStates(() => {
    const announced = replica().get(keys.store) as StoreHandle | undefined;
    created = announced === undefined;
    return announced;
  });
  if (created) announceStates();
  return store;
}

/** Tells every replica (and those that join later) which store holds the instance records. */
export function announceStates(): void {
  replica().set([[keys.store, sharedStates().handle]]);
}

// The main thread makes the store before it starts any worker, so every worker inherits it.
if (isMainThread) states();

export function getState(namespace: string, instanceId: string): FakeInstanceState | undefined {
  return (states().get(keys.instance(namespace, instanceId)) ?? undefined) as FakeInstanceState | undefined;
}

export function putStates(records: FakeInstanceState[]): void {
  states().set(records.map((s) => [keys.instance(s.namespace, s.instanceId), s]));
}

export function allStates(): FakeInstanceState[] {
  return states()
    .entries(keys.instancePrefix)
    .map(([, v]) => v as FakeInstanceState);
}
// Every fetch consults the faults: cache them (scanning the map would cost O(instances) per call).
let faultCache: { generation: number; faults: Fault[] } | undefined;

export function faults(): Fault[] {
  const r = replica();
  const generation = r.generation(keys.faultGroup);
  if (faultCache?.generation !== generation) {
    faultCache = { generation, faults: r.entries(keys.faultPrefix).map(([, v]) => v as Fault) };
  }
  return faultCache.faults;
}

export function matchingFaults(subject: Subject): Fault[] {
  const all = faults();
  return all.length === 0 ? all : all.filter((f) => matches(f.selector, subject));
}

/** Counts one firing of a `times`-limited fault for this instance; false when it is used up. */
export function consume(fault: Fault & { times?: number }, subject: Subject): boolean {
  if (fault.times === undefined) return true;
  const key = keys.used(fault.id, subject.namespace, subject.identity.instanceId);
  const used = (replica().get(key) as number | undefined) ?? 0;
  if (used >= fault.times) return false;
  replica().set([[key, used + 1]]);
  return true;
}

export function latencyMs(): number | undefined {
  return (replica().get(keys.latency) ?? undefined) as number | undefined;
}

let seq = 0;

export function recordApply(call: ApplyCall): void {
  const r = replica();
  r.append({ id: `${r.origin}:${++seq}`, ...call });
}

export function applyCallLog(): ApplyCall[] {
  return replica()
    .records()
    .map(({ instanceId, namespace, version, at }) => ({ instanceId, namespace, version, at }) as ApplyCall)
    .sort((a, b) => a.at - b.at);
}
