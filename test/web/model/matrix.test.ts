import { describe, expect, it } from 'vitest';
import { paramChanges, releaseCell, releaseHistory, type CellInstance } from '../../../web/src/model/matrix.js';

const noHistory = releaseHistory([], 'web');
const at = (status: string, over: Partial<CellInstance> = {}): CellInstance => ({ status, reasons: [{ code: 'X', message: `why ${status}`, since: '2024-01-01T00:00:00Z' }], desiredReleaseId: 'R2', targetReleaseId: 'R2', convergedReleaseId: 'R1', ...over });

describe('a release in a channel', () => {
  it.each([
    ['CONVERGED', { convergedReleaseId: 'R2' }, 'converged'],
    ['CONVERGING', {}, 'rolling-out'],
    ['WAITING', {}, 'waiting'],
    ['PENDING', {}, 'waiting'],
    ['FAILED', {}, 'failed'],
    ['ROLLING_BACK', {}, 'rolling-back'],
    ['ROLLED_BACK', {}, 'marked-bad'],
    ['PAUSED', {}, 'paused'],
    ['DEGRADED', {}, 'attention'],
  ] as const)('the desired release of a %s instance is %s', (status, over, kind) => {
    expect(releaseCell({ id: 'R2' }, 'staging', at(status, over), noHistory).kind).toBe(kind);
  });

  it('a release held back by an upstream bad marking or a rejection will not start', () => {
    const cell = releaseCell({ id: 'R2' }, 'production', at('WAITING', { reasons: [{ code: 'RELEASE_MARKED_BAD', message: 'v2 was marked bad in staging', since: 's' }] }), noHistory);
    expect(cell).toEqual({ kind: 'blocked', detail: 'v2 was marked bad in staging', since: 's', current: true });
  });

  it('the release a rollback went back to is pinned; one that simply still runs is running', () => {
    expect(releaseCell({ id: 'R1' }, 'staging', at('ROLLED_BACK', { targetReleaseId: 'R1' }), noHistory).kind).toBe('pinned');
    expect(releaseCell({ id: 'R1' }, 'production', at('WAITING', { targetReleaseId: 'R1' }), noHistory).kind).toBe('running');
  });

  it('the past comes from the events, the latest word winning, with what replaced it', () => {
    const history = releaseHistory(
      [
        { id: '1', type: 'INSTANCE_CONVERGED', subject: 'ServiceInstance shop/staging/web', actor: 'engine', message: 'v0 converged', at: '2024-01-01T00:00:00Z', data: { releaseId: 'row0' } },
        { id: '2', type: 'INSTANCE_CONVERGED', subject: 'ServiceInstance shop/staging/api', actor: 'engine', message: 'other service', at: '2024-01-01T00:00:00Z', data: { releaseId: 'rowA' } },
        { id: '3', type: 'INSTANCE_CONVERGED', subject: 'ServiceInstance shop/production/web', actor: 'engine', message: 'v9 converged', at: '2024-01-01T00:00:00Z', data: { releaseId: 'row9' } },
        { id: '4', type: 'ROLLBACK_STARTED', subject: 'ServiceInstance shop/production/web', actor: 'engine', message: 'rolling production back from v9 to v0', at: '2024-01-02T00:00:00Z', data: { from: 'row9', to: 'row0' } },
      ],
      'web',
    );
    const now = at('CONVERGED', { desiredReleaseId: 'R5', targetReleaseId: 'R5', convergedReleaseId: 'R5', convergedLabel: 'v5' });
    expect(releaseCell({ id: 'R0', rowId: 'row0' }, 'staging', now, history)).toEqual({ kind: 'superseded', detail: 'replaced by v5', since: '2024-01-01T00:00:00Z', current: false });
    expect(releaseCell({ id: 'R9', rowId: 'row9' }, 'production', now, history)).toMatchObject({ kind: 'marked-bad', detail: 'rolling production back from v9 to v0' });
    expect(releaseCell({ id: 'RA', rowId: 'rowA' }, 'staging', now, history).kind).toBe('not-reached');
  });

  it('says what a release changed against the one before', () => {
    expect(paramChanges({ version: 'v2' }, { version: 'v1' })).toBe('version v1 → v2');
    expect(paramChanges({ version: 'v1' })).toBe('version v1');
    expect(paramChanges({ version: 'v1', flag: 'on' }, { version: 'v1' })).toBe('flag on');
    expect(paramChanges({ version: 'v1' }, { version: 'v1' })).toBe('same parameters (config or redeploy)');
  });
});
