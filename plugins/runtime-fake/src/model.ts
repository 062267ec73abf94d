/**
 * What the fake runtime stores: one record per instance (what "runs" there, in shared memory), fault
 * rules, and the log of apply calls (replicated). Keys of both maps are built here and nowhere else.
 */
import type { InstanceIdentity, ObjectStatus } from '@driftless/plugin-sdk';

export interface FakeInstanceState {
  instanceId: string;
  namespace: string;
  application: string;
  channel: string;
  service: string;
  version: string;
  replicas: number;
  availableReplicas: number;
  status: ObjectStatus;
  drifted: boolean;
  message?: string;
  /** Epoch ms of the apply that produced this state. */
  appliedAt: number;
}

export interface ApplyCall {
  instanceId: string;
  namespace: string;
  version: string;
  /** Epoch ms when apply was called (before any injected latency). */
  at: number;
}

/** An instance id, or fields that must all match (absent fields match anything). */
export type Selector =
  | string
  | { instanceId?: string; application?: string; channel?: string; service?: string; version?: string; namespace?: string };

export type Hook = 'fetch' | 'apply';

export type Fault =
  | { id: string; kind: 'failApply'; selector: Selector; times?: number; terminal: boolean; message: string }
  | { id: string; kind: 'throw'; selector: Selector; hook: Hook; terminal: boolean; message: string }
  | { id: string; kind: 'hang'; selector: Selector; hook: Hook }
  | { id: string; kind: 'unhealthyAfterApply'; selector: Selector };

export const DEFAULT_NAMESPACE = 'default';

export const keys = {
  instance: (namespace: string, instanceId: string) => `inst:${namespace}/${instanceId}`,
  instancePrefix: 'inst:',
  fault: (id: string) => `fault:${id}`,
  faultPrefix: 'fault:',
  faultGroup: 'fault',
  /** How many times fault `id` fired for one instance (for `times`). */
  used: (faultId: string, namespace: string, instanceId: string) => `used:${faultId}:${namespace}/${instanceId}`,
  latency: 'latency',
  /** The shared memory holding the instance records (shared-states.ts), for threads that did not inherit it. */
  store: 'store',
};

/** What a call is about, for matching selectors. */
export interface Subject {
  identity: Pick<InstanceIdentity, 'instanceId' | 'application' | 'channel' | 'service'>;
  namespace: string;
  /** The target version for apply; the target or running version for fetch. */
  version?: string;
}

export function matches(selector: Selector, subject: Subject): boolean {
  if (typeof selector === 'string') return selector === subject.identity.instanceId;
  const { identity } = subject;
  return (
    (selector.instanceId === undefined || selector.instanceId === identity.instanceId) &&
    (selector.application === undefined || selector.application === identity.application) &&
    (selector.channel === undefined || selector.channel === identity.channel) &&
    (selector.service === undefined || selector.service === identity.service) &&
    (selector.namespace === undefined || selector.namespace === subject.namespace) &&
    (selector.version === undefined || selector.version === subject.version)
  );
}

export function subjectOfState(state: FakeInstanceState): Subject {
  return { identity: state, namespace: state.namespace, version: state.version };
}
