import { memo } from 'react';
import { Ban, CheckCircle2, Circle, Clock, History, Loader2, Lock, PauseCircle, RotateCcw, ShieldAlert, Undo2, XCircle } from 'lucide-react';
import { Link } from 'wouter';
import type { Cell, CellKind } from '../../model/matrix.js';
import { useHumanize } from '../../ui/release-labels.js';
import { Since } from '../../ui/Time.js';

const LOOK: Record<CellKind, { text: string; tone: string; icon: typeof Clock }> = {
  converged: { text: 'Converged', tone: 'ok', icon: CheckCircle2 },
  'rolling-out': { text: 'Rolling out', tone: 'progress', icon: Loader2 },
  waiting: { text: 'Waiting', tone: 'wait', icon: Clock },
  blocked: { text: 'Will not start', tone: 'bad', icon: Ban },
  failed: { text: 'Failed', tone: 'bad', icon: XCircle },
  'rolling-back': { text: 'Rolling back', tone: 'warn', icon: RotateCcw },
  'marked-bad': { text: 'Rolled back, marked bad', tone: 'warn', icon: Undo2 },
  pinned: { text: 'Pinned by rollback', tone: 'paused', icon: Lock },
  paused: { text: 'Paused', tone: 'paused', icon: PauseCircle },
  running: { text: 'Running now', tone: 'ok', icon: CheckCircle2 },
  superseded: { text: 'Was converged', tone: 'idle', icon: History },
  'not-reached': { text: 'Not here', tone: 'none', icon: Circle },
  attention: { text: 'Needs attention', tone: 'bad', icon: ShieldAlert },
};

/**
 * One release in one channel. Its own component so the coming release kinds (a config change,
 * a degraded or crash-looping release) add a look here and nothing else changes.
 */
export const ReleaseCell = memo(function ReleaseCell({ cell, href, channel, release }: { cell: Cell; href: string; channel: string; release: string }) {
  const humanize = useHumanize();
  const look = LOOK[cell.kind];
  const Icon = look.icon;
  if (cell.kind === 'not-reached') {
    return (
      <td className="rcell rcell-empty" data-kind={cell.kind}>
        <span className="sr-only">
          {release} never reached {channel}
        </span>
        <span aria-hidden>·</span>
      </td>
    );
  }
  return (
    <td className={`rcell tone-bg-${look.tone}${cell.current ? ' rcell-current' : ''}`} data-kind={cell.kind}>
      <Link href={href} className="rcell-link">
        <span className="sr-only">
          {release} in {channel}:{' '}
        </span>
        <span className={`rcell-kind tone-text-${look.tone}`}>
          <Icon size={14} aria-hidden className={cell.kind === 'rolling-out' ? 'spin' : undefined} />
          {look.text}
        </span>
        {cell.detail ? (
          <span className="rcell-detail" title={humanize(cell.detail)}>
            {humanize(cell.detail)}
          </span>
        ) : null}
        {cell.since && cell.kind !== 'converged' ? (
          <span className="rcell-since muted">
            <Since at={cell.since} />
          </span>
        ) : null}
      </Link>
    </td>
  );
});
