/**
 * `ongoingHealth`: the health gates (alerts, httpCheck) of what runs in a channel, after its
 * post-deploy verification. Pure. A failing probe is reported (the instance shows it, and it holds
 * new rollouts here and promotion from here) until it passes again. An unreachable Alertmanager
 * says nothing about the release and is not a failure here (the entry gates of the next release
 * still wait on it: we do not deploy blind); an httpCheck target that does not answer is failing,
 * as it is during verification.
 */
import type { ReasonCode } from '../../domain/status.js';
import { gateKey, isHealthGate } from './keys.js';
import type { CompiledGate, HealthSnapshot } from './types.js';

export interface HealthProblem {
  code: ReasonCode;
  message: string;
  /** ms epoch: since when it fails. */
  since: number;
  /** The type of the failing gate (an admin's bypass of it lets a new release through anyway). */
  gate: 'alerts' | 'httpCheck';
}

export function ongoingHealth(gates: CompiledGate[], health: HealthSnapshot): HealthProblem | undefined {
  for (const gate of gates) {
    if (!isHealthGate(gate)) continue;
    const result = health[gateKey(gate)];
    if (!result || result.ok || (result.unreachable && gate.type === 'alerts')) continue;
    return gate.type === 'alerts'
      ? { code: 'ALERTS_FIRING', message: result.message, since: result.since, gate: 'alerts' }
      : { code: 'CHECK_FAILING', message: `check failing: ${result.message}`, since: result.since, gate: 'httpCheck' };
  }
  return undefined;
}
