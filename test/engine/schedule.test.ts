import { describe, expect, it } from 'vitest';
import { Schedule, type ScheduleRow } from '../../server/engine/schedule.js';
import type { SteadyCheck } from '../../server/engine/steady-check.js';

/** 2 applications × 3 services × 2 channels, all due at 1,000. */
function rows(): ScheduleRow[] {
  const out: ScheduleRow[] = [];
  for (const app of ['a1', 'a2']) for (const service of ['s1', 's2', 's3']) for (const channel of ['staging', 'prod']) {
    out.push({ id: `${app}/${service}/${channel}`, partition: out.length % 4, applicationId: app, serviceId: `${app}-${service}`, channelId: `${app}-${channel}`, nextCheckAt: 1_000 });
  }
  return out;
}

const steady: SteadyCheck = { target: { releaseId: 'r1', version: 'r1', params: {}, spec: {}, env: {}, digest: 'd' }, expect: 'x', generation: 1 };

describe('the in-memory schedule (issue 17)', () => {
  it('wakes exactly what a selector names: an application, a service, a service in one channel, a channel', () => {
    const s = new Schedule();
    s.upsert(rows(), (r) => r.nextCheckAt!);
    expect(s.wake({ applicationIds: ['a2'] }, 0)).toBe(6);
    expect(s.wake({ serviceIds: ['a1-s1'] }, 0)).toBe(2);
    expect(s.wake({ serviceChannels: ['a1-s2:a1-prod'] }, 0)).toBe(1);
    expect(s.wake({ channelIds: ['a1-staging'] }, 0)).toBe(3);
    // One instance named twice counts once.
    expect(s.wake({ applicationIds: ['a1'], serviceIds: ['a1-s1'] }, 0)).toBe(6);
    expect(s.wake({ serviceIds: ['nope'] }, 0)).toBe(0);
  });

  it('woken instances come first, in the order they were woken; removed ones never come', () => {
    const s = new Schedule();
    s.upsert(rows(), (r) => r.nextCheckAt!);
    s.wake({ ids: ['a2/s3/prod'] }, 500);
    s.remove('a1/s1/staging');
    const due = s.takeDue(1_000, 100, () => true).map((e) => e.id);
    expect(due[0]).toBe('a2/s3/prod');
    expect(due).toHaveLength(11);
    expect(due).not.toContain('a1/s1/staging');
    expect(s.idsOf(new Set(['a1']))).toHaveLength(5);
  });

  it('a wake voids what a short check would rely on, also while the tick runs', () => {
    const s = new Schedule();
    s.upsert(rows(), (r) => r.nextCheckAt!);
    const [first, second] = s.takeDue(1_000, 2, () => true);
    s.finished(first!.id, 2_000, 1_000, steady);
    expect(first!.steady).toBe(steady);
    s.wake({ ids: [first!.id] }, 1_100);
    expect(first!.steady).toBeUndefined();
    // Woken while ticking: the tick's outcome is not taken as steady.
    s.wake({ ids: [second!.id] }, 1_100);
    s.finished(second!.id, 2_000, 1_200, steady);
    expect(second!.steady).toBeUndefined();
  });

  it('dropping partitions forgets their instances and their index entries', () => {
    const s = new Schedule();
    s.upsert(rows(), (r) => r.nextCheckAt!);
    s.dropPartitions([0, 1]);
    expect(s.size).toBe(6);
    expect(s.wake({ applicationIds: ['a1', 'a2'] }, 0)).toBe(6);
  });
});
