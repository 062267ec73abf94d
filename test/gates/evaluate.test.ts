import { describe, expect, it } from 'vitest';
import { evaluateGates, type CompiledGate, type GateInput, type GateVerdict } from '../../server/engine/gates/index.js';
import { MIN, NOW, health, input } from './fixtures.js';

const ALERTS = { type: 'alerts', alertmanager: 'http://am:9093/', matchers: { severity: 'critical' } } as const;
const ALERTS_KEY = 'alerts:http://am:9093|severity=critical';
const HTTP = { type: 'httpCheck', url: 'http://svc/healthz', expectStatus: 200, durationMs: 2 * MIN, intervalMs: 1000 } as const;
const HTTP_KEY = 'httpCheck:http://svc/healthz';
const SOAK = { type: 'soak', durationMs: 10 * MIN } as const;
const APPROVAL = { type: 'manualApproval', minApprovers: 2 } as const;
/** mon-fri 9-17 Berlin: closed on Saturday 2026-11-28. */
const WEEKDAYS: Extract<CompiledGate, { type: 'allowedTimes' }> = {
  type: 'allowedTimes',
  days: [1, 2, 3, 4, 5],
  startHour: 9,
  endHour: 17,
  timezone: 'Europe/Berlin',
};
const SATURDAY_NOON = Date.UTC(2026, 10, 28, 12, 0);

const staging = (over: Record<string, unknown> = {}) => ({
  channel: 'staging',
  convergedReleaseId: 'r2',
  convergedReleaseLabel: 'v2',
  convergedAt: NOW - 30 * MIN,
  hasPostDeployCheck: false,
  ...over,
});
const onStaging = (over: Record<string, unknown> = {}): Partial<GateInput> => ({
  dependsOn: ['staging'],
  upstream: [staging(over)],
});

interface Row {
  name: string;
  in: Partial<GateInput>;
  want: GateVerdict;
}

const rows: Row[] = [
  { name: 'no gates, no upstream: open', in: {}, want: { decision: 'open', satisfied: [] } },
  { name: 'upstream converged on the release: open', in: onStaging(), want: { decision: 'open', satisfied: ['dependsOn'] } },
  {
    name: 'upstream on another release',
    in: onStaging({ convergedReleaseId: 'r1', convergedReleaseLabel: 'v1' }),
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'DEPENDENCY_NOT_CONVERGED', message: 'waiting for staging to converge on v2 (staging runs v1)' }],
    },
  },
  {
    name: 'upstream never converged',
    in: onStaging({ convergedReleaseId: undefined }),
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [
        { code: 'DEPENDENCY_NOT_CONVERGED', message: 'waiting for staging to converge on v2 (nothing has converged in staging yet)' },
      ],
    },
  },
  {
    name: 'upstream unknown to the engine',
    in: { dependsOn: ['staging'] },
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'DEPENDENCY_NOT_CONVERGED', message: 'waiting for staging to converge on v2 (no state known for staging)' }],
    },
  },
  {
    name: 'upstream converged but still verifying',
    in: onStaging({ hasPostDeployCheck: true }),
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'VERIFYING', message: 'waiting for staging to finish verifying v2 (post-deploy checks running)' }],
    },
  },
  {
    name: 'upstream verified',
    in: onStaging({ hasPostDeployCheck: true, verifiedAt: NOW - MIN }),
    want: { decision: 'open', satisfied: ['dependsOn'] },
  },
  {
    name: 'release marked bad upstream fails',
    in: onStaging({ convergedReleaseId: 'r1', convergedReleaseLabel: 'v1', badReleaseIds: ['r2'] }),
    want: {
      decision: 'fail',
      reasons: [{ code: 'RELEASE_MARKED_BAD', message: 'v2 was marked bad in staging; it will not be promoted to production' }],
    },
  },
  {
    name: 'soaking',
    in: { ...onStaging({ convergedAt: NOW - 4 * MIN }), gates: [SOAK] },
    want: {
      decision: 'wait',
      satisfied: ['dependsOn'],
      recheckAt: NOW + 6 * MIN,
      reasons: [{ code: 'SOAKING', message: 'soaking: staging has run v2 for 4m of 10m (opens at 14:28 UTC)' }],
    },
  },
  {
    name: 'soak done',
    in: { ...onStaging({ convergedAt: NOW - 10 * MIN }), gates: [SOAK] },
    want: { decision: 'open', satisfied: ['dependsOn', 'soak'] },
  },
  { name: 'soak without dependsOn is a no-op', in: { gates: [SOAK] }, want: { decision: 'open', satisfied: ['soak'] } },
  {
    name: 'soak does not repeat the dependency reason',
    in: { ...onStaging({ convergedReleaseId: 'r1', convergedReleaseLabel: 'v1' }), gates: [SOAK] },
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'DEPENDENCY_NOT_CONVERGED', message: 'waiting for staging to converge on v2 (staging runs v1)' }],
    },
  },
  {
    name: 'awaiting approval counts distinct approvers',
    in: { gates: [APPROVAL], approvals: { approvers: ['alice', 'alice'] } },
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'AWAITING_APPROVAL', message: 'awaiting approval: 1 of 2 approvers (alice)' }],
    },
  },
  {
    name: 'approved',
    in: { gates: [APPROVAL], approvals: { approvers: ['alice', 'bob'] } },
    want: { decision: 'open', satisfied: ['manualApproval'] },
  },
  {
    name: 'rejected fails',
    in: { gates: [APPROVAL], approvals: { approvers: ['alice'], rejectedBy: { actor: 'bob', comment: 'breaks checkout' } } },
    want: { decision: 'fail', reasons: [{ code: 'RELEASE_REJECTED', message: 'rejected by bob: breaks checkout' }] },
  },
  {
    name: 'alerts firing before the rollout: wait',
    in: { gates: [ALERTS], health: { [ALERTS_KEY]: health(false, '2 alerts firing matching severity=critical: HighErrorRate, DiskFull') } },
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'ALERTS_FIRING', message: '2 alerts firing matching severity=critical: HighErrorRate, DiskFull' }],
    },
  },
  {
    name: 'alerts firing during the rollout: fail',
    in: { rollingOut: true, gates: [ALERTS], health: { [ALERTS_KEY]: health(false, '1 alert firing matching severity=critical: HighErrorRate') } },
    want: {
      decision: 'fail',
      reasons: [
        { code: 'ALERTS_FIRING', message: 'alerts started firing during the rollout: 1 alert firing matching severity=critical: HighErrorRate' },
      ],
    },
  },
  {
    name: 'alertmanager unreachable during the rollout: wait, never fail',
    in: {
      rollingOut: true,
      gates: [ALERTS],
      health: { [ALERTS_KEY]: health(false, 'cannot reach alertmanager at http://am:9093: ECONNREFUSED', { unreachable: true }) },
    },
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'CHECK_FAILING', message: 'cannot reach alertmanager at http://am:9093: ECONNREFUSED' }],
    },
  },
  {
    name: 'alerts not checked yet',
    in: { gates: [ALERTS] },
    want: {
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'NOT_YET_CHECKED', message: 'checking alerts at http://am:9093 matching severity=critical: no answer yet' }],
    },
  },
  {
    name: 'no alerts firing',
    in: { gates: [ALERTS], health: { [ALERTS_KEY]: health(true, 'no alerts firing matching severity=critical') } },
    want: { decision: 'open', satisfied: [ALERTS_KEY] },
  },
  {
    name: 'http check failing before the rollout: wait',
    in: { gates: [HTTP], health: { [HTTP_KEY]: health(false, 'GET http://svc/healthz returned 503, want 200') } },
    want: { decision: 'wait', satisfied: [], reasons: [{ code: 'CHECK_FAILING', message: 'GET http://svc/healthz returned 503, want 200' }] },
  },
  {
    name: 'http check failing during the rollout: fail',
    in: { rollingOut: true, gates: [HTTP], health: { [HTTP_KEY]: health(false, 'GET http://svc/healthz returned 503, want 200') } },
    want: {
      decision: 'fail',
      reasons: [{ code: 'CHECK_FAILING', message: 'check started failing during the rollout: GET http://svc/healthz returned 503, want 200' }],
    },
  },
  {
    name: 'http check passing',
    in: { gates: [HTTP], health: { [HTTP_KEY]: health(true, 'GET http://svc/healthz returned 200') } },
    want: { decision: 'open', satisfied: [HTTP_KEY] },
  },
  {
    name: 'every waiting reason is reported, in order, with the earliest recheck',
    in: {
      now: SATURDAY_NOON,
      ...onStaging({ convergedReleaseId: 'r1', convergedReleaseLabel: 'v1' }),
      gates: [APPROVAL, WEEKDAYS, ALERTS, HTTP],
      health: {
        [ALERTS_KEY]: health(false, '1 alert firing matching severity=critical: DiskFull'),
        [HTTP_KEY]: health(true, 'GET http://svc/healthz returned 200'),
      },
    },
    want: {
      decision: 'wait',
      satisfied: [HTTP_KEY],
      recheckAt: Date.UTC(2026, 10, 30, 8, 0),
      reasons: [
        { code: 'DEPENDENCY_NOT_CONVERGED', message: 'waiting for staging to converge on v2 (staging runs v1)' },
        { code: 'AWAITING_APPROVAL', message: 'awaiting approval: 0 of 2 approvers' },
        {
          code: 'OUTSIDE_ALLOWED_TIMES',
          message: 'outside allowed times mon-fri 09:00-17:00 Europe/Berlin; next window opens Mon 2026-11-30 09:00 Europe/Berlin',
        },
        { code: 'ALERTS_FIRING', message: '1 alert firing matching severity=critical: DiskFull' },
      ],
    },
  },
  {
    name: 'fail wins over wait',
    in: {
      now: SATURDAY_NOON,
      ...onStaging({ convergedReleaseId: 'r1' }),
      gates: [WEEKDAYS, APPROVAL],
      approvals: { approvers: [], rejectedBy: { actor: 'bob' } },
    },
    want: { decision: 'fail', reasons: [{ code: 'RELEASE_REJECTED', message: 'rejected by bob' }] },
  },
  {
    name: 'alreadySatisfied skips static gates',
    in: {
      ...onStaging({ convergedReleaseId: 'r3' }),
      gates: [SOAK, APPROVAL],
      alreadySatisfied: ['dependsOn', 'soak', 'manualApproval'],
    },
    want: { decision: 'open', satisfied: ['dependsOn', 'soak', 'manualApproval'] },
  },
  {
    name: 'alreadySatisfied never skips health gates nor allowedTimes',
    in: {
      now: SATURDAY_NOON,
      gates: [WEEKDAYS, ALERTS],
      health: { [ALERTS_KEY]: health(false, '1 alert firing matching severity=critical: DiskFull') },
      alreadySatisfied: ['allowedTimes', ALERTS_KEY],
    },
    want: {
      decision: 'wait',
      satisfied: [],
      recheckAt: Date.UTC(2026, 10, 30, 8, 0),
      reasons: [
        {
          code: 'OUTSIDE_ALLOWED_TIMES',
          message: 'outside allowed times mon-fri 09:00-17:00 Europe/Berlin; next window opens Mon 2026-11-30 09:00 Europe/Berlin',
        },
        { code: 'ALERTS_FIRING', message: '1 alert firing matching severity=critical: DiskFull' },
      ],
    },
  },
  {
    name: 'alreadySatisfied does not outlive a rejection or a bad marking upstream',
    in: {
      ...onStaging({ convergedReleaseId: 'r1', badReleaseIds: ['r2'] }),
      gates: [APPROVAL],
      approvals: { approvers: [], rejectedBy: { actor: 'bob', comment: '  ' } },
      alreadySatisfied: ['dependsOn', 'manualApproval'],
    },
    want: {
      decision: 'fail',
      reasons: [
        { code: 'RELEASE_MARKED_BAD', message: 'v2 was marked bad in staging; it will not be promoted to production' },
        { code: 'RELEASE_REJECTED', message: 'rejected by bob' },
      ],
    },
  },
  {
    name: 'a rollout under way is not stopped by its window closing',
    in: { now: SATURDAY_NOON, rollingOut: true, gates: [WEEKDAYS] },
    want: { decision: 'open', satisfied: ['allowedTimes'] },
  },
];

describe('evaluateGates', () => {
  it.each(rows)('$name', (row) => {
    expect(evaluateGates(input(row.in))).toEqual(row.want);
  });

  it('waits on approval inside a window and rechecks when the window closes', () => {
    const wednesday10 = Date.UTC(2026, 10, 25, 9, 0); // 10:00 Berlin
    const verdict = evaluateGates(input({ now: wednesday10, gates: [WEEKDAYS, APPROVAL] }));
    expect(verdict).toMatchObject({ decision: 'wait', satisfied: ['allowedTimes'], recheckAt: Date.UTC(2026, 10, 25, 16, 0) });
  });

  it('holds on an unknown timezone instead of throwing', () => {
    const verdict = evaluateGates(input({ gates: [{ ...WEEKDAYS, timezone: 'Mars/Olympus' }] }));
    expect(verdict).toEqual({
      decision: 'wait',
      satisfied: [],
      reasons: [{ code: 'OUTSIDE_ALLOWED_TIMES', message: 'allowed times use an unknown timezone "Mars/Olympus"' }],
    });
  });

  it('soak waits for every upstream and rechecks at the first soak end', () => {
    const verdict = evaluateGates(
      input({
        dependsOn: ['staging', 'canary'],
        upstream: [staging({ convergedAt: NOW - 4 * MIN }), staging({ channel: 'canary', convergedAt: NOW - 8 * MIN })],
        gates: [SOAK],
      }),
    );
    expect(verdict).toMatchObject({ decision: 'wait', recheckAt: NOW + 2 * MIN });
    expect(verdict.decision === 'wait' && verdict.reasons.map((r) => r.code)).toEqual(['SOAKING', 'SOAKING']);
  });
});
