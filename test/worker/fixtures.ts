/** Small builders for tick and decision tests. */
import type { InstanceIdentity, ObservedObject, ObservedState, ObservedVersion, TargetState } from '@driftless/plugin-sdk';
import type { TickInput } from '../../worker/types.js';

export function identity(instanceId = 'shop/staging/web', service = 'web'): InstanceIdentity {
  const [application = 'shop', channel = 'staging'] = instanceId.split('/');
  return { instanceId, application, channel, service, runtime: 'local' };
}

export function target(version = 'rel-def', spec: Record<string, unknown> = { replicas: 2 }): TargetState {
  return { releaseId: version, version, params: { version }, spec, env: {}, digest: `sha256:${version}` };
}

export function v(version: string, over: Partial<ObservedVersion> = {}): ObservedVersion {
  return { version, replicas: 2, availableReplicas: 2, active: true, drifted: false, ...over };
}

export function obj(name: string, versions: ObservedVersion[], over: Partial<ObservedObject> = {}): ObservedObject {
  return { name, status: 'SUCCEEDED', versions, ...over };
}

export function state(...objects: ObservedObject[]): ObservedState {
  return { objects };
}

export function tick(over: Partial<TickInput> = {}): TickInput {
  const id = over.instanceId ?? 'shop/staging/web';
  return {
    instanceId: id,
    identity: identity(id),
    plugin: 'fake',
    runtimeConfig: {},
    target: target(),
    mode: 'converge',
    timeouts: { fetchMs: 1_000, applyMs: 1_000 },
    ...over,
  };
}
