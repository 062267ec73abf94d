import { describe, expect, it } from 'vitest';
import { evaluateVerification, type HealthSnapshot, type VerificationResult } from '../../server/engine/gates/index.js';
import { MIN, NOW, health } from './fixtures.js';

const HTTP = { type: 'httpCheck', url: 'http://svc/healthz', expectStatus: 200, durationMs: 2 * MIN, intervalMs: 1000 } as const;
const KEY = 'httpCheck:http://svc/healthz';
const CONVERGED = NOW - MIN; // 14:21 UTC; the window ends 14:23

interface Row {
  name: string;
  now?: number;
  gates?: (typeof HTTP | { type: 'soak'; durationMs: number })[];
  health: HealthSnapshot;
  want: VerificationResult;
}

const rows: Row[] = [
  { name: 'no httpCheck: verified at once', gates: [{ type: 'soak', durationMs: MIN }], health: {}, want: { state: 'verified', reasons: [] } },
  {
    name: 'no result yet',
    health: {},
    want: {
      state: 'verifying',
      recheckAt: CONVERGED + 2 * MIN,
      reasons: [{ code: 'VERIFYING', message: 'verifying: waiting for the first check of GET http://svc/healthz since converging (done at 14:23 UTC)' }],
    },
  },
  {
    name: 'only results from before converging',
    health: { [KEY]: health(true, 'ok', { checkedAt: CONVERGED - 500 }) },
    want: {
      state: 'verifying',
      recheckAt: CONVERGED + 2 * MIN,
      reasons: [{ code: 'VERIFYING', message: 'verifying: waiting for the first check of GET http://svc/healthz since converging (done at 14:23 UTC)' }],
    },
  },
  {
    name: 'a failure before converging does not count',
    health: { [KEY]: health(true, 'ok', { checkedAt: NOW - 1000, lastFailedAt: CONVERGED - 2000 }) },
    want: {
      state: 'verifying',
      recheckAt: CONVERGED + 2 * MIN,
      reasons: [{ code: 'VERIFYING', message: 'verifying: GET http://svc/healthz has passed for 1m of 2m (done at 14:23 UTC)' }],
    },
  },
  {
    name: 'passing for the whole window',
    now: CONVERGED + 2 * MIN,
    health: { [KEY]: health(true, 'ok', { checkedAt: CONVERGED + 2 * MIN - 300 }) },
    want: { state: 'verified', reasons: [] },
  },
  {
    name: 'failing within the window',
    health: {
      [KEY]: health(false, 'GET http://svc/healthz returned 503, want 200', { checkedAt: CONVERGED + 30_000, lastFailedAt: CONVERGED + 30_000 }),
    },
    want: {
      state: 'failed',
      reasons: [
        {
          code: 'CHECK_FAILING',
          message: 'post-deploy check failed: GET http://svc/healthz returned 503, want 200 at 14:21 UTC, 30s after converging',
        },
      ],
    },
  },
  {
    name: 'a flap within the window fails even when passing again',
    health: { [KEY]: health(true, 'ok', { checkedAt: NOW - 100, lastFailedAt: CONVERGED + 45_000 }) },
    want: {
      state: 'failed',
      reasons: [{ code: 'CHECK_FAILING', message: 'post-deploy check failed: GET http://svc/healthz failed at 14:21 UTC, 45s after converging' }],
    },
  },
];

describe('evaluateVerification', () => {
  it.each(rows)('$name', (row) => {
    const result = evaluateVerification({ now: row.now ?? NOW, convergedAt: CONVERGED, gates: row.gates ?? [HTTP], health: row.health });
    expect(result).toEqual(row.want);
  });

  it('needs every httpCheck; one failure fails the release', () => {
    const other = { ...HTTP, url: 'http://svc/ready', durationMs: 5 * MIN };
    const snapshot: HealthSnapshot = {
      [KEY]: health(true, 'ok', { checkedAt: NOW }),
      'httpCheck:http://svc/ready': health(true, 'ok', { checkedAt: NOW }),
    };
    const later = CONVERGED + 3 * MIN;
    expect(evaluateVerification({ now: later, convergedAt: CONVERGED, gates: [HTTP, other], health: snapshot })).toMatchObject({
      state: 'verifying',
      recheckAt: CONVERGED + 5 * MIN,
    });
    const broken = { ...snapshot, 'httpCheck:http://svc/ready': health(false, 'GET http://svc/ready failed: ECONNREFUSED', { lastFailedAt: NOW }) };
    expect(evaluateVerification({ now: later, convergedAt: CONVERGED, gates: [HTTP, other], health: broken }).state).toBe('failed');
  });
});
