/**
 * The fake runtime's hooks. `fetch` reads the shared instance records and changes nothing; `apply`
 * makes the instance run the target at once (one object named after the service), is idempotent,
 * and reports what runs afterwards.
 * Faults injected through the control API are honoured here.
 */
import {
  definePluginRuntime,
  RetryableError,
  TerminalError,
  type ApplyContext,
  type ApplyResult,
  type FetchContext,
  type ObservedState,
} from '@driftless/plugin-sdk';
import { DEFAULT_NAMESPACE, type FakeInstanceState, type Hook, type Subject } from './model.js';
import { replica } from './replica.js';
import { consume, getState, latencyMs, matchingFaults, putStates, recordApply } from './store.js';

export interface FakeConfig {
  /** Delay of every call, in ms (the control API's setLatency overrides it). */
  latencyMs?: number;
  /** Separates instances of several Runtimes that use the fake. */
  namespace?: string;
}

export interface FakeSpec {
  replicas?: number;
  /** Delay of calls for this service, in ms (overrides the runtime config's). */
  latencyMs?: number;
}

const never = new Promise<never>(() => {});

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    }
    signal.addEventListener('abort', aborted, { once: true });
  });
}

function latencyFor(config: FakeConfig, spec: FakeSpec | undefined): number {
  return latencyMs() ?? (typeof spec?.latencyMs === 'number' ? spec.latencyMs : undefined) ?? config.latencyMs ?? 0;
}

/** Fires the faults for this call: throws, or hangs (ignoring the signal, like a stuck backend). */
async function injectFaults(hook: Hook, subject: Subject): Promise<void> {
  for (const fault of matchingFaults(subject)) {
    if (fault.kind === 'hang' && fault.hook === hook) await never;
    if (fault.kind === 'throw' && fault.hook === hook) {
      throw fault.terminal ? new TerminalError(fault.message) : new RetryableError(fault.message);
    }
    if (fault.kind === 'failApply' && hook === 'apply' && consume(fault, subject)) {
      throw fault.terminal ? new TerminalError(fault.message) : new RetryableError(fault.message);
    }
  }
}

function namespaceOf(config: FakeConfig): string {
  return typeof config.namespace === 'string' && config.namespace !== '' ? config.namespace : DEFAULT_NAMESPACE;
}

async function fetchState(ctx: FetchContext<FakeConfig>): Promise<ObservedState> {
  await replica().ready;
  const namespace = namespaceOf(ctx.config);
  const current = getState(namespace, ctx.instance.instanceId);
  const subject: Subject = { identity: ctx.instance, namespace, version: ctx.target?.version ?? current?.version };
  await injectFaults('fetch', subject);
  await delay(latencyFor(ctx.config, ctx.target?.spec as FakeSpec | undefined), ctx.signal);
  return observedOf(current);
}

/** What a fetch reports for a record: one object named after the service, running one version. */
function observedOf(current: FakeInstanceState | undefined): ObservedState {
  if (!current) return { objects: [] };
  return {
    objects: [
      {
        name: current.service,
        status: current.status,
        versions: [
          {
            version: current.version,
            replicas: current.replicas,
            availableReplicas: current.availableReplicas,
            active: true,
            drifted: current.drifted,
          },
        ],
        ...(current.message !== undefined ? { message: current.message } : {}),
      },
    ],
  };
}

/**
 * Makes the instance run the target at once. It knows what runs afterwards, so it says so
 * (ApplyResult.observed, exactly what a fetch would report now): the engine converges in this tick.
 */
async function applyTarget(ctx: ApplyContext<FakeConfig>): Promise<ApplyResult> {
  await replica().ready;
  const namespace = namespaceOf(ctx.config);
  const { instance, target } = ctx;
  recordApply({ instanceId: instance.instanceId, namespace, version: target.version, at: Date.now() });
  const subject: Subject = { identity: instance, namespace, version: target.version };
  await injectFaults('apply', subject);
  const spec = target.spec as FakeSpec;
  await delay(latencyFor(ctx.config, spec), ctx.signal);

  const replicas = Number.isInteger(spec.replicas) && (spec.replicas as number) >= 0 ? (spec.replicas as number) : 1;
  const unhealthy = matchingFaults(subject).some((f) => f.kind === 'unhealthyAfterApply');
  const next: FakeInstanceState = {
    instanceId: instance.instanceId,
    namespace,
    application: instance.application,
    channel: instance.channel,
    service: instance.service,
    version: target.version,
    replicas,
    availableReplicas: unhealthy ? 0 : replicas,
    status: unhealthy ? 'FAILED' : 'SUCCEEDED',
    drifted: false,
    ...(unhealthy ? { message: `${target.version} crashed on start (injected)` } : {}),
    appliedAt: Date.now(),
  };
  const current = getState(namespace, instance.instanceId);
  const same =
    current !== undefined &&
    current.version === next.version &&
    current.replicas === next.replicas &&
    current.status === next.status &&
    current.availableReplicas === next.availableReplicas &&
    !current.drifted;
  // Idempotent: the same target again changes nothing (and broadcasts nothing).
  if (same) return { message: `${target.version} already running`, observed: observedOf(current) };
  putStates([next]);
  return { message: `running ${target.version} with ${replicas} replica${replicas === 1 ? '' : 's'}`, observed: observedOf(next) };
}

export const fakePlugin = definePluginRuntime<FakeConfig, FakeSpec>({
  name: 'fake',
  version: '0.1.0',
  apiVersion: 1,
  description: 'In-memory runtime for tests, benchmarks and demos; faults can be injected.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      latencyMs: { type: 'number', minimum: 0, description: 'Delay of every call, in ms.' },
      namespace: { type: 'string', minLength: 1, description: 'Separates Runtimes that share the fake.' },
    },
  },
  specSchema: {
    type: 'object',
    properties: {
      replicas: { type: 'integer', minimum: 0, default: 1 },
      latencyMs: { type: 'number', minimum: 0 },
    },
  },
  fetch: fetchState,
  apply: applyTarget,
});
