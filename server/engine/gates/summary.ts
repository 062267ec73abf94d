/** Gates in words, as the API and the dry run show them ("2 distinct approvers needed"). */
import type { CompiledGate } from '../../compiler/types.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function summarizeGate(gate: CompiledGate): string {
  switch (gate.type) {
    case 'soak':
      return `upstream channels run the release for ${exactDuration(gate.durationMs)} first`;
    case 'manualApproval':
      return `${gate.minApprovers} distinct approver${gate.minApprovers === 1 ? '' : 's'} needed${gate.preventSelfApproval ? ", not the release's creator" : ''}`;
    case 'allowedTimes':
      return `only ${gate.days.map((d) => DAY_NAMES[d]).join(',')} ${String(gate.startHour).padStart(2, '0')}:00-${String(gate.endHour).padStart(2, '0')}:00 ${gate.timezone}`;
    case 'alerts': {
      const matchers = Object.entries(gate.matchers).map(([k, v]) => `${k}=${v}`).join(',');
      return `no alerts firing${matchers ? ` matching ${matchers}` : ''} in ${gate.alertmanager}`;
    }
    case 'httpCheck':
      return `GET ${gate.url} answers ${gate.expectStatus}${gate.durationMs ? `, and keeps answering for ${exactDuration(gate.durationMs)} after deploy` : ''}`;
  }
}

/** 10m, 1h, 90s, 500ms: as the config says it, not rounded. */
function exactDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
