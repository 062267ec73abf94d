/**
 * Stable gate keys. They name a gate in `satisfied` / `alreadySatisfied` lists persisted by the
 * engine and in health snapshots, so they must not change for the same gate across releases.
 */
import type { CompiledGate } from '../../compiler/types.js';

export const DEPENDS_ON_KEY = 'dependsOn';

type HealthGate = Extract<CompiledGate, { type: 'alerts' | 'httpCheck' }>;

export function isHealthGate(gate: CompiledGate): gate is HealthGate {
  return gate.type === 'alerts' || gate.type === 'httpCheck';
}

/** `severity=critical,team=shop` (sorted, so the same matchers always read and key the same). */
export function describeMatchers(matchers: Record<string, string>): string {
  return Object.keys(matchers)
    .sort()
    .map((k) => `${k}=${matchers[k]}`)
    .join(',');
}

/**
 * `soak`, `manualApproval`, `allowedTimes`, `alerts:<alertmanager>|<matchers>`, `httpCheck:<url>`.
 * Alerts keys carry their target so two alerts gates on one channel never share a key.
 */
export function gateKey(gate: CompiledGate): string {
  switch (gate.type) {
    case 'soak':
    case 'manualApproval':
    case 'allowedTimes':
      return gate.type;
    case 'alerts':
      return `alerts:${trimBase(gate.alertmanager)}|${describeMatchers(gate.matchers)}`;
    case 'httpCheck':
      return `httpCheck:${gate.url}`;
  }
}

/** Identity of what the HealthMonitor polls: one poll loop serves every gate with the same target. */
export function targetKey(gate: HealthGate): string {
  return gate.type === 'alerts'
    ? `alerts ${trimBase(gate.alertmanager)} ${describeMatchers(gate.matchers)}`
    : `http ${gate.url} ${gate.expectStatus}`;
}

export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}
