/**
 * Steering the fake from tests, benchmarks and demos (usually the main thread). Every mutating
 * call returns a promise that resolves once every live replica (every worker thread that loaded
 * the fake) has applied it: await it, and the fault is in force for the next tick anywhere.
 * Instance records are shared memory: a worker's apply is visible here at once, and a state set
 * here is what the next fetch anywhere sees. The apply-call log is replicated and may be a moment
 * behind a worker's latest apply, which `waitFor` absorbs.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_NAMESPACE, keys, matches, subjectOfState, type ApplyCall, type FakeInstanceState, type Fault, type Hook, type Selector } from './model.js';
import { replica } from './replica.js';
import { allStates, announceStates, applyCallLog, faults, getState, putStates, states } from './store.js';

type NewFault = Fault extends infer F ? (F extends Fault ? Omit<F, 'id'> : never) : never;

async function addFault(fault: NewFault): Promise<string> {
  const id = randomUUID();
  replica().set([[keys.fault(id), { ...fault, id }]]);
  await replica().flush();
  return id;
}

/** Delay of every plugin call in ms, overriding spec and config; `undefined` removes the override. */
export async function setLatency(ms: number | undefined): Promise<void> {
  replica().set([[keys.latency, ms ?? null]]);
  await replica().flush();
}

/** The next `times` applies (per instance; default: every apply) throw. Returns the fault id. */
export function failApply(selector: Selector, options: { times?: number; terminal?: boolean; message?: string } = {}): Promise<string> {
  return addFault({
    kind: 'failApply',
    selector,
    ...(options.times !== undefined ? { times: options.times } : {}),
    terminal: options.terminal ?? false,
    message: options.message ?? 'apply failed (injected)',
  });
}

/** Applies to matching instances (or versions) succeed, but the release comes up FAILED, 0 available. */
export function unhealthyAfterApply(selector: Selector): Promise<string> {
  return addFault({ kind: 'unhealthyAfterApply', selector });
}

/** Every call of `hook` on matching instances never returns and ignores its AbortSignal. */
export function hang(selector: Selector, hook: Hook): Promise<string> {
  return addFault({ kind: 'hang', selector, hook });
}

export function hangFetch(selector: Selector): Promise<string> {
  return hang(selector, 'fetch');
}

/** Every call of `hook` on matching instances throws (RetryableError, or TerminalError). */
export function throwOn(selector: Selector, hook: Hook, options: { terminal?: boolean; message?: string } = {}): Promise<string> {
  return addFault({
    kind: 'throw',
    selector,
    hook,
    terminal: options.terminal ?? false,
    message: options.message ?? `${hook} failed (injected)`,
  });
}

/** Marks what runs on matching instances as edited by hand; the next apply repairs it. Returns how many. */
export async function injectDrift(selector: Selector, message = 'edited by hand (injected drift)'): Promise<number> {
  const drifted = allStates()
    .filter((s) => matches(selector, subjectOfState(s)))
    .map((s) => ({ ...s, drifted: true, message }));
  putStates(drifted);
  await replica().flush();
  return drifted.length;
}

/** Sets what runs on an instance directly (e.g. something someone started by hand). */
export async function setState(state: Omit<FakeInstanceState, 'namespace' | 'appliedAt'> & { namespace?: string }): Promise<void> {
  putStates([{ ...state, namespace: state.namespace ?? DEFAULT_NAMESPACE, appliedAt: Date.now() }]);
  await replica().flush();
}

/** Sets what runs on many instances at once (benchmarks seed large fleets this way): one broadcast. */
export async function setStates(states: (Omit<FakeInstanceState, 'namespace' | 'appliedAt'> & { namespace?: string })[]): Promise<void> {
  const now = Date.now();
  putStates(states.map((s) => ({ ...s, namespace: s.namespace ?? DEFAULT_NAMESPACE, appliedAt: now })));
  await replica().flush();
}

/** Removes one fault (by the id a fault call returned), or all of them. */
export async function clearFaults(id?: string): Promise<void> {
  const ids = id !== undefined ? [id] : faults().map((f) => f.id);
  replica().set(ids.map((faultId) => [keys.fault(faultId), null]));
  await replica().flush();
}

/** Forgets everything: instances, faults, latency, apply calls. */
export async function reset(): Promise<void> {
  replica().reset();
  states().reset();
  // The reset emptied the replicated map, the store's announcement with it.
  announceStates();
  await replica().flush();
}

/** What runs on an instance now. */
export function state(instanceId: string, namespace = DEFAULT_NAMESPACE): FakeInstanceState | undefined {
  return getState(namespace, instanceId);
}

export function instances(): FakeInstanceState[] {
  return allStates();
}

/** Every apply call so far (including failed ones), oldest first. */
export function applyCalls(): ApplyCall[] {
  return applyCallLog();
}

export function activeFaults(): Fault[] {
  return faults();
}

/** Resolves once every live replica has seen every change made from this thread. */
export function synced(): Promise<void> {
  return replica().flush();
}

/** Polls `predicate` until it holds; rejects after timeoutMs with what was last seen. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) throw new Error(`fake runtime: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const control = {
  setLatency,
  failApply,
  unhealthyAfterApply,
  hang,
  hangFetch,
  throwOn,
  injectDrift,
  setState,
  setStates,
  clearFaults,
  reset,
  state,
  instances,
  applyCalls,
  activeFaults,
  synced,
  waitFor,
};
