/**
 * The releases matrix: for one release in one channel, where it stands — converged, rolling out,
 * waiting (why), failed, rolled back and marked bad, pinned by a rollback, still running while a
 * newer one waits, replaced by a newer one,
 * or never reached. The current state comes from the instance; the past from the events (the API
 * has no per-channel release history yet: the lead's report asks for `Release.channels`).
 */
import { aboutEvent, type EventInput } from './events.js';

export type CellKind =
  | 'converged'
  | 'rolling-out'
  | 'waiting'
  | 'blocked'
  | 'failed'
  | 'rolling-back'
  | 'marked-bad'
  | 'pinned'
  | 'paused'
  | 'running'
  | 'superseded'
  | 'not-reached'
  | 'attention';

export interface CellInstance {
  status: string;
  reasons: { code: string; message: string; since: string }[];
  desiredReleaseId?: string | null;
  targetReleaseId?: string | null;
  convergedReleaseId?: string | null;
  /** Label of the release running there now, to say what replaced an older one. */
  convergedLabel?: string | null;
}

export interface Cell {
  kind: CellKind;
  /** One line: the reason, or what happened and when. */
  detail?: string;
  since?: string;
  /** Still on this release right now (what a person would find running). */
  current: boolean;
}

/** What the events say happened to each release in each channel: the latest word wins. */
export interface ReleaseHistory {
  get(releaseRowId: string, channel: string): { kind: 'converged' | 'marked-bad'; at: string; message: string } | undefined;
}

export function releaseHistory(events: EventInput[], service: string): ReleaseHistory {
  const byKey = new Map<string, { kind: 'converged' | 'marked-bad'; at: string; message: string }>();
  const note = (release: unknown, channel: string | undefined, kind: 'converged' | 'marked-bad', e: EventInput) => {
    if (typeof release !== 'string' || !channel) return;
    const key = `${release}\u0000${channel}`;
    const prev = byKey.get(key);
    if (!prev || prev.at <= e.at) byKey.set(key, { kind, at: e.at, message: e.message });
  };
  for (const e of events) {
    const about = aboutEvent(e);
    if (about.service !== service) continue;
    const data = e.data ?? {};
    if (e.type === 'INSTANCE_CONVERGED') note(data.releaseId, about.channel, 'converged', e);
    else if (e.type === 'RELEASE_FAILED') note(data.releaseId, about.channel, 'marked-bad', e);
    else if (e.type === 'ROLLBACK_STARTED') note(data.from, about.channel, 'marked-bad', e);
  }
  return { get: (release, channel) => byKey.get(`${release}\u0000${channel}`) };
}

export function releaseCell(release: { id: string; rowId?: string }, channel: string, instance: CellInstance | undefined, history: ReleaseHistory): Cell {
  const first = instance?.reasons[0];
  if (instance && instance.desiredReleaseId === release.id) {
    const withReason = (kind: CellKind): Cell => ({ kind, detail: first?.message, since: first?.since, current: true });
    switch (instance.status) {
      case 'CONVERGED':
        return { kind: 'converged', current: true };
      case 'CONVERGING':
        return withReason('rolling-out');
      case 'WAITING':
      case 'PENDING':
        return withReason(instance.reasons.some((r) => r.code === 'RELEASE_MARKED_BAD' || r.code === 'RELEASE_REJECTED') ? 'blocked' : 'waiting');
      case 'FAILED':
        return withReason('failed');
      case 'ROLLING_BACK':
        return withReason('rolling-back');
      case 'ROLLED_BACK':
        return { ...withReason('marked-bad'), current: false };
      case 'PAUSED':
        return withReason('paused');
      default:
        return { ...withReason('attention'), detail: first?.message ?? instance.status };
    }
  }
  const rolledBack = instance?.status === 'ROLLED_BACK' || instance?.status === 'ROLLING_BACK';
  if (instance && rolledBack && instance.targetReleaseId === release.id) {
    return { kind: 'pinned', detail: 'held here by the rollback until a newer release', current: true };
  }
  if (instance && instance.convergedReleaseId === release.id) {
    return { kind: 'running', current: true };
  }
  const past = release.rowId ? history.get(release.rowId, channel) : undefined;
  if (past?.kind === 'converged') return { kind: 'superseded', detail: instance?.convergedLabel ? `replaced by ${instance.convergedLabel}` : undefined, since: past.at, current: false };
  if (past) return { kind: 'marked-bad', detail: past.message, since: past.at, current: false };
  return { kind: 'not-reached', current: false };
}

/** "version v1 → v2": what a release changed against the previous release of its service. */
export function paramChanges(params: Record<string, unknown>, previous?: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(params), ...Object.keys(previous ?? {})])].sort();
  const parts: string[] = [];
  for (const k of keys) {
    const now = params[k];
    const before = previous?.[k];
    if (previous === undefined) parts.push(`${k} ${String(now)}`);
    else if (JSON.stringify(now) !== JSON.stringify(before)) parts.push(before === undefined ? `${k} ${String(now)}` : now === undefined ? `${k} removed` : `${k} ${String(before)} → ${String(now)}`);
  }
  return parts.length ? parts.join(', ') : previous ? 'same parameters (config or redeploy)' : 'first release';
}
