/**
 * Pre-deploy side of the health gates (alerts, httpCheck). Always re-evaluated, never taken from
 * `alreadySatisfied`: health is a fact about now. Unknown or unreachable health is a wait, never a
 * pass (we do not deploy blind) and never a failure (an outage of Alertmanager is not the release's fault).
 */
import { describeMatchers, gateKey, trimBase } from './keys.js';
import type { CompiledGate, GateInput } from './types.js';
import type { VerdictBuilder } from './verdict-builder.js';

type AlertsGate = Extract<CompiledGate, { type: 'alerts' }>;
type HttpCheckGate = Extract<CompiledGate, { type: 'httpCheck' }>;

export function checkAlerts(input: GateInput, gate: AlertsGate, out: VerdictBuilder): void {
  const key = gateKey(gate);
  const result = input.health[key];
  if (!result) {
    const matchers = describeMatchers(gate.matchers);
    out.wait(key, {
      code: 'NOT_YET_CHECKED',
      message: `checking alerts at ${trimBase(gate.alertmanager)}${matchers ? ` matching ${matchers}` : ''}: no answer yet`,
    });
  } else if (result.unreachable) {
    out.wait(key, { code: 'CHECK_FAILING', message: result.message });
  } else if (!result.ok) {
    // Alerts that start during our own rollout are most likely caused by it: stop and roll back.
    if (input.rollingOut) {
      out.fail(key, { code: 'ALERTS_FIRING', message: `alerts started firing during the rollout: ${result.message}` });
    } else {
      out.wait(key, { code: 'ALERTS_FIRING', message: result.message });
    }
  } else {
    out.pass(key);
  }
}

export function checkHttp(input: GateInput, gate: HttpCheckGate, out: VerdictBuilder): void {
  const key = gateKey(gate);
  const result = input.health[key];
  if (!result) {
    out.wait(key, { code: 'NOT_YET_CHECKED', message: `checking GET ${gate.url}: no answer yet` });
  } else if (!result.ok) {
    if (input.rollingOut) {
      out.fail(key, { code: 'CHECK_FAILING', message: `check started failing during the rollout: ${result.message}` });
    } else {
      out.wait(key, { code: 'CHECK_FAILING', message: result.message });
    }
  } else {
    out.pass(key);
  }
}
