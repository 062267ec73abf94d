import { describe, expect, it } from 'vitest';
import { channelGateViews, gateViews, type GateContext } from '../../../web/src/model/gates.js';

const base: GateContext = {
  channel: 'production',
  status: 'WAITING',
  reasons: [],
  dependsOn: ['staging'],
  gates: [],
  desiredReleaseId: 'R2',
  convergedReleaseId: 'R1',
  approvals: [],
  upstream: [],
};

describe('where each gate stands and what is left', () => {
  it('counts a soak down from when the upstream converged on this release', () => {
    const [upstream, soak] = gateViews({
      ...base,
      gates: [{ type: 'soak', summary: 'soak', settings: { durationMs: 600_000 } }],
      reasons: [{ code: 'SOAKING', message: 'soaking: staging has run v2 for 2m of 10m', since: '2024-05-06T12:00:00.000Z' }],
      upstream: [{ channel: 'staging', status: 'CONVERGED', convergedReleaseId: 'R2', convergedAt: '2024-05-06T11:58:00.000Z' }],
    });
    expect(upstream).toMatchObject({ type: 'dependsOn', state: 'open', summary: 'after staging' });
    expect(soak).toMatchObject({ state: 'waiting', until: Date.parse('2024-05-06T12:08:00.000Z') });
  });

  it('counts approvals per person and channel, a later rejection replacing that person’s approval', () => {
    const approvals = [
      { actor: 'token:ana', channel: 'production', decision: 'APPROVE', createdAt: '2024-05-06T10:00:00Z' },
      { actor: 'token:bo', channel: 'staging', decision: 'APPROVE', createdAt: '2024-05-06T10:00:00Z' },
    ];
    const gate = { type: 'manualApproval', summary: '2 distinct approvers needed', settings: { minApprovers: 2 } };
    const waiting = gateViews({ ...base, gates: [gate], approvals, reasons: [{ code: 'AWAITING_APPROVAL', message: 'awaiting approval: 1 of 2 approvers (token:ana)', since: '2024-05-06T10:00:00Z' }] })[1]!;
    expect(waiting).toMatchObject({ state: 'waiting', detail: '1 of 2 approvals', approvals: { done: 1, of: 2, by: ['token:ana'] } });
    const rejected = gateViews({ ...base, gates: [gate], approvals: [...approvals, { actor: 'token:ana', channel: 'production', decision: 'REJECT', createdAt: '2024-05-06T11:00:00Z' }] })[1]!;
    expect(rejected).toMatchObject({ state: 'blocked', detail: 'rejected by token:ana', approvals: { done: 0, of: 2 } });
  });

  it('says when a closed window opens next, and since when a check fails', () => {
    const views = gateViews({
      ...base,
      dependsOn: [],
      gates: [
        { type: 'allowedTimes', summary: 'only mon-fri 09:00-17:00 Europe/Berlin', settings: {} },
        { type: 'httpCheck', summary: 'GET http://127.0.0.1:9/healthz answers 200', settings: { url: 'http://127.0.0.1:9/healthz' } },
        { type: 'alerts', summary: 'no alerts firing', settings: { alertmanager: 'http://127.0.0.1:9093' } },
      ],
      reasons: [
        { code: 'OUTSIDE_ALLOWED_TIMES', message: 'outside allowed times mon-fri 09-17 Europe/Berlin; next window opens Mon 09:00 Europe/Berlin', since: '2024-05-04T10:00:00Z' },
        { code: 'CHECK_FAILING', message: 'GET http://127.0.0.1:9/healthz returned 503, want 200', since: '2024-05-04T12:03:00Z' },
      ],
    });
    expect(views.map((v) => [v.type, v.state, v.detail ?? null])).toEqual([
      ['allowedTimes', 'waiting', 'next window opens Mon 09:00 Europe/Berlin'],
      ['httpCheck', 'failing', 'GET http://127.0.0.1:9/healthz returned 503, want 200'],
      ['alerts', 'open', null],
    ]);
    expect(views[1]!.since).toBe('2024-05-04T12:03:00Z');
  });

  it('blocks on a release marked bad upstream, and idles without a release', () => {
    const bad = gateViews({ ...base, reasons: [{ code: 'RELEASE_MARKED_BAD', message: 'v2 was marked bad in staging; it will not be promoted to production', since: 'x' }] });
    expect(bad[0]).toMatchObject({ type: 'dependsOn', state: 'blocked' });
    const none = gateViews({ ...base, desiredReleaseId: null, gates: [{ type: 'soak', summary: 's', settings: {} }] });
    expect(none.map((v) => v.state)).toEqual(['idle', 'idle']);
  });

  it('a channel shows each gate as it stands for the service it holds back most, naming it', () => {
    const open = { key: 'manualApproval-0', type: 'manualApproval', summary: 's', state: 'open' as const };
    const waiting = { ...open, state: 'waiting' as const, detail: '0 of 1 approvals' };
    expect(channelGateViews([{ service: 'api', views: [open] }, { service: 'web', views: [waiting] }])).toEqual([{ ...waiting, service: 'web' }]);
    expect(channelGateViews([{ service: 'web', views: [waiting] }])).toEqual([{ ...waiting, service: undefined }]);
  });
});
