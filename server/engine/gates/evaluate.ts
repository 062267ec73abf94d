/**
 * `evaluateGates`: may this Service Instance move to its desired release now?
 *
 * Pure and cheap: no I/O, no clock (time is `input.now`), no state except a cache of allowed-times
 * transitions that never changes an answer. Health comes in as a snapshot taken by the HealthMonitor.
 *
 * - 'open': every gate is satisfied; `satisfied` lists the keys (persist them as `alreadySatisfied`).
 * - 'wait': every reason that holds the instance back, plus `recheckAt` when one ends by itself.
 * - 'fail': terminal for this release in this channel (rejected, marked bad upstream, health broke
 *   during our own rollout). Fail wins over wait.
 *
 * Static gates (dependsOn, soak, manualApproval) listed in `alreadySatisfied` are not waited for
 * twice; a rejection or an upstream bad-marking still fails. Health gates and allowedTimes are
 * always evaluated, except that a rollout already under way is not stopped by its window closing:
 * a half-applied release is worse than one finished a little late.
 *
 * A gate type listed in `bypassed` (an admin's recorded decision for this release here) passes;
 * nothing else skips a gate, and a release marked bad upstream is never promoted, bypass or not.
 */
import { describeWindow, formatZoned, windowState } from './allowed-times.js';
import { listNames } from './format.js';
import { gateKey } from './keys.js';
import { checkAlerts, checkHttp } from './health-gates.js';
import { checkBadUpstream, checkDependsOn, checkSoak, checkUpstreamHealth } from './upstream-gates.js';
import type { CompiledGate, GateDetail, GateInput, GateVerdict } from './types.js';
import { VerdictBuilder } from './verdict-builder.js';

/** `details`, when given, receives what each gate says (for status pages; not part of the verdict). */
export function evaluateGates(input: GateInput, details?: GateDetail[]): GateVerdict {
  const out = new VerdictBuilder(input.now);
  checkBadUpstream(input, out);
  const reportedUpstreams = checkDependsOn(input, out);
  checkUpstreamHealth(input, out);
  for (const gate of input.gates) {
    if (input.bypassed?.includes(gate.type)) {
      out.pass(gateKey(gate));
      continue;
    }
    switch (gate.type) {
      case 'soak':
        checkSoak(input, gate.durationMs, reportedUpstreams, out);
        break;
      case 'manualApproval':
        checkApproval(input, gate.minApprovers, out);
        break;
      case 'allowedTimes':
        checkAllowedTimes(input, gate, out);
        break;
      case 'alerts':
        checkAlerts(input, gate, out);
        break;
      case 'httpCheck':
        checkHttp(input, gate, out);
        break;
    }
  }
  if (details) details.push(...out.details());
  return out.build();
}

function checkApproval(input: GateInput, minApprovers: number, out: VerdictBuilder): void {
  const rejected = input.approvals.rejectedBy;
  if (rejected) {
    const comment = rejected.comment?.trim();
    out.fail('manualApproval', {
      code: 'RELEASE_REJECTED',
      message: `rejected by ${rejected.actor}${comment ? `: ${comment}` : ''}`,
    });
    return;
  }
  const approvers = [...new Set(input.approvals.approvers)];
  if (input.alreadySatisfied?.includes('manualApproval') || approvers.length >= minApprovers) {
    out.pass('manualApproval');
    return;
  }
  const who = approvers.length ? ` (${listNames(approvers)})` : '';
  out.wait('manualApproval', {
    code: 'AWAITING_APPROVAL',
    message: `awaiting approval: ${approvers.length} of ${minApprovers} approvers${who}`,
  });
}

type AllowedTimesGate = Extract<CompiledGate, { type: 'allowedTimes' }>;

function checkAllowedTimes(input: GateInput, gate: AllowedTimesGate, out: VerdictBuilder): void {
  if (input.rollingOut) {
    out.pass('allowedTimes');
    return;
  }
  let state;
  try {
    state = windowState(gate, input.now);
  } catch {
    // The compiler should reject unknown zones; if one slips through, hold rather than guess.
    out.wait('allowedTimes', {
      code: 'OUTSIDE_ALLOWED_TIMES',
      message: `allowed times use an unknown timezone "${gate.timezone}"`,
    });
    return;
  }
  // A closing window changes the reasons of a verdict that waits for something else.
  out.recheckAt(state.changesAt);
  if (state.open) {
    out.pass('allowedTimes');
    return;
  }
  const next =
    state.changesAt === undefined ? 'the window never opens' : `next window opens ${formatZoned(state.changesAt, gate.timezone)}`;
  out.wait('allowedTimes', { code: 'OUTSIDE_ALLOWED_TIMES', message: `outside allowed times ${describeWindow(gate)}; ${next}` });
}
