import { describe, expect, it } from 'vitest';
import { layoutChannels, pipelineOrder } from '../../../web/src/model/channel-layout.js';
import { diffValues } from '../../../web/src/model/diff.js';
import { aboutEvent, matchesFilter, mergeEvents } from '../../../web/src/model/events.js';
import { abilitiesOf } from '../../../web/src/model/permissions.js';
import { releasesByRowId, rowIdOf } from '../../../web/src/model/release-ids.js';
import { countByStatus, worstStatus } from '../../../web/src/model/status.js';
import { summarize } from '../../../web/src/model/summary.js';
import { formatDuration, relative } from '../../../web/src/model/time.js';
import { releaseStep } from '../../../web/src/ui/release-step.js';

describe('statuses', () => {
  it('the worst wins, and a status the dashboard does not know yet counts as needing attention', () => {
    expect(worstStatus(['CONVERGED', 'WAITING', 'CONVERGING'])).toBe('WAITING');
    expect(worstStatus(['ROLLED_BACK', 'FAILED'])).toBe('FAILED');
    expect(worstStatus(['ROLLED_BACK', 'DEGRADED'])).toBe('DEGRADED');
    expect(countByStatus(['CONVERGED', 'WAITING', 'CONVERGED'])).toEqual([
      { status: 'WAITING', count: 1 },
      { status: 'CONVERGED', count: 2 },
    ]);
  });

  it('an application summary lists what waits on people', () => {
    const s = summarize([
      { name: 'staging', dependsOn: [], instances: [{ status: 'CONVERGED', reasons: [], service: { name: 'web' }, desiredRelease: { label: 'v2' } }] },
      { name: 'production', dependsOn: ['staging'], instances: [{ status: 'WAITING', reasons: [{ code: 'AWAITING_APPROVAL', message: 'awaiting approval: 0 of 1 approvers', since: 't' }], service: { name: 'web' }, desiredRelease: { label: 'v2' } }] },
    ]);
    expect(s.worst).toBe('WAITING');
    expect(s.waitingOnPeople).toEqual([{ channel: 'production', service: 'web', release: 'v2', message: 'awaiting approval: 0 of 1 approvers', since: 't' }]);
    expect(s.channels.map((c) => [c.name, c.worst, c.notConverged])).toEqual([
      ['staging', 'CONVERGED', 0],
      ['production', 'WAITING', 1],
    ]);
  });
});

describe('releases and ids', () => {
  it('reads the row id inside a global id, for matching event data', () => {
    const id = Buffer.from('Release:5dc3b706-07a2-4b2a-bbe1-3883beaf435f').toString('base64url');
    expect(rowIdOf(id)).toBe('5dc3b706-07a2-4b2a-bbe1-3883beaf435f');
    expect(rowIdOf('not base64 at all!')).toBeUndefined();
    expect(releasesByRowId([{ id, label: 'v2' }]).get('5dc3b706-07a2-4b2a-bbe1-3883beaf435f')).toEqual({ id, label: 'v2' });
  });

  it('shows where an instance is heading', () => {
    const v1 = { id: '1', label: 'v1' };
    const v2 = { id: '2', label: 'v2' };
    expect(releaseStep({ convergedRelease: v1, targetRelease: v1, desiredRelease: v2, status: 'WAITING' })).toBe('v1 → v2');
    expect(releaseStep({ convergedRelease: v1, targetRelease: v2, desiredRelease: v2, status: 'CONVERGING' })).toBe('v1 → v2');
    expect(releaseStep({ convergedRelease: v1, targetRelease: v1, desiredRelease: v2, status: 'ROLLED_BACK' })).toBe('v1');
    expect(releaseStep({ desiredRelease: v1, status: 'PENDING' })).toBe('→ v1');
    expect(releaseStep({ status: 'PENDING' })).toBe('no release');
  });
});

describe('events', () => {
  const e = (id: string, subject: string, at: string, more: Record<string, unknown> = {}) => ({ id, type: 'X', subject, actor: 'engine', message: '', at, ...more });
  it('knows what an event is about from its subject and data', () => {
    expect(aboutEvent(e('1', 'ServiceInstance shop/production/web', 't'))).toEqual({ kind: 'ServiceInstance', application: 'shop', channel: 'production', service: 'web' });
    expect(aboutEvent(e('1', 'Release shop/web#3', 't', { data: { channel: 'production' } }))).toEqual({ kind: 'Release', application: 'shop', service: 'web', releaseNumber: 3, channel: 'production' });
    expect(aboutEvent(e('1', 'Runtime local', 't'))).toEqual({ kind: 'Runtime' });
  });

  it('filters by application, channel, type and actor, and merges history with live events without duplicates', () => {
    const a = e('1', 'ServiceInstance shop/production/web', '2024-01-01T00:00:01Z');
    const b = e('2', 'ServiceInstance shop/staging/web', '2024-01-01T00:00:02Z', { actor: 'token:ana' });
    expect([a, b].filter((x) => matchesFilter(x, { channel: 'staging' }))).toEqual([b]);
    expect([a, b].filter((x) => matchesFilter(x, { actor: 'engine', application: 'shop' }))).toEqual([a]);
    expect([a, b].filter((x) => matchesFilter(x, { application: 'other' }))).toEqual([]);
    expect(mergeEvents([b], [a, b]).map((x) => x.id)).toEqual(['2', '1']);
  });
});

describe('the rest', () => {
  it('diffs field by field; lists compare whole', () => {
    expect(diffValues({ spec: { replicas: 1, args: ['a'], env: { A: '1' } } }, { spec: { replicas: 2, args: ['a'], env: { B: '2' } } })).toEqual([
      { path: 'spec.env.A', kind: 'removed', before: '1' },
      { path: 'spec.env.B', kind: 'added', after: '2' },
      { path: 'spec.replicas', kind: 'changed', before: 1, after: 2 },
    ]);
    expect(diffValues({ args: ['a', 'b'] }, { args: ['b', 'a'] })).toEqual([{ path: 'args', kind: 'changed', before: ['a', 'b'], after: ['b', 'a'] }]);
  });

  it('lays channels out left to right along dependsOn, in an order that respects it', () => {
    const channels = [
      { name: 'prod-eu', dependsOn: ['staging'], width: 300, height: 100 },
      { name: 'staging', dependsOn: [], width: 300, height: 100 },
      { name: 'prod-us', dependsOn: ['staging'], width: 300, height: 100 },
    ];
    const placed = Object.fromEntries(layoutChannels(channels).map((p) => [p.name, p]));
    expect(placed['prod-eu']!.x).toBeGreaterThan(placed.staging!.x + 300);
    expect(placed['prod-us']!.x).toBe(placed['prod-eu']!.x);
    expect(placed['prod-us']!.y).not.toBe(placed['prod-eu']!.y);
    expect(pipelineOrder(channels).map((c) => c.name)).toEqual(['staging', 'prod-eu', 'prod-us']);
  });

  it('roles: deployers and admins act, viewers read, only admins bypass', () => {
    expect(abilitiesOf('viewer')).toEqual({ approve: false, reject: false, rollback: false, pause: false, resume: false, bypassGate: false });
    expect(abilitiesOf('deployer')).toMatchObject({ approve: true, rollback: true, bypassGate: false });
    expect(abilitiesOf('admin').bypassGate).toBe(true);
  });

  it('short durations', () => {
    expect([formatDuration(4_000), formatDuration(250_000), formatDuration(3_600_000), formatDuration(90_000_000)]).toEqual(['4s', '4m 10s', '1h', '25h']);
    expect(relative(10_000, 0)).toBe('in 10s');
    expect(relative('1970-01-01T00:00:00Z', 60_000)).toBe('1m ago');
  });
});
