/**
 * Comparing and describing observed states. Two fetches "see the same" when objects, statuses and
 * versions match; `message` is left out because it may legitimately change between calls
 * ("up 3 s"), and order is left out because the contract does not promise one.
 */
import type { ObservedState } from '@driftless/plugin-sdk';

function canonical(state: ObservedState): string {
  const objects = state.objects
    .map((o) => ({
      name: o.name,
      status: o.status,
      versions: o.versions
        .map((v) => [v.version, v.replicas, v.availableReplicas, v.active, v.drifted] as const)
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify(objects);
}

export function sameState(a: ObservedState, b: ObservedState): boolean {
  return canonical(a) === canonical(b);
}

/** `web SUCCEEDED [conformance-1 1/1 active]` per object; "nothing" for no objects. */
export function describeState(state: ObservedState): string {
  if (state.objects.length === 0) return 'nothing';
  return state.objects
    .map((o) => {
      const versions = o.versions.map((v) => `${v.version} ${v.availableReplicas}/${v.replicas}${v.active ? ' active' : ''}${v.drifted ? ' drifted' : ''}`);
      return `${o.name} ${o.status} [${versions.join(', ')}]`;
    })
    .join('; ');
}

/** True when nothing is left running: no object has an active version or a replica. */
export function isEmpty(state: ObservedState): boolean {
  return state.objects.every((o) => o.versions.every((v) => !v.active && v.replicas === 0));
}
