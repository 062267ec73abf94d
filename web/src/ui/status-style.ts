import type { ComponentType } from 'react';
import { AlertTriangle, CheckCircle2, Circle, Clock, Loader2, PauseCircle, RotateCcw, Undo2, XCircle } from 'lucide-react';
import type { ResultOf } from '../graphql/graphql.js';
import type { InstanceSummary } from '../graphql/operations/fragments.js';

export type Status = ResultOf<typeof InstanceSummary>['status'];
export type Tone = 'ok' | 'progress' | 'wait' | 'idle' | 'bad' | 'warn' | 'paused';

interface StatusLook {
  text: string;
  tone: Tone;
  /** A one-character shape for dense grids, where hundreds of SVG icons would cost a render. */
  glyph: string;
  icon: ComponentType<{ size?: number; className?: string; 'aria-hidden'?: boolean }>;
}

/**
 * Every status the schema has, with its words, colour and icon. Typed from the schema: when the
 * API adds a status, the web typecheck fails here until it has a look.
 */
export const STATUS_LOOK: Record<Status, StatusLook> = {
  CONVERGED: { text: 'Converged', tone: 'ok', glyph: '✓', icon: CheckCircle2 },
  CONVERGING: { text: 'Rolling out', tone: 'progress', glyph: '◐', icon: Loader2 },
  WAITING: { text: 'Waiting', tone: 'wait', glyph: '◷', icon: Clock },
  PENDING: { text: 'Pending', tone: 'idle', glyph: '○', icon: Circle },
  FAILED: { text: 'Failed', tone: 'bad', glyph: '✕', icon: XCircle },
  ROLLING_BACK: { text: 'Rolling back', tone: 'warn', glyph: '↺', icon: RotateCcw },
  ROLLED_BACK: { text: 'Rolled back', tone: 'warn', glyph: '↶', icon: Undo2 },
  PAUSED: { text: 'Paused', tone: 'paused', glyph: '‖', icon: PauseCircle },
  DEGRADED: { text: 'Degraded', tone: 'bad', glyph: '!', icon: AlertTriangle },
};

const UNKNOWN: StatusLook = { text: 'Needs attention', tone: 'bad', glyph: '!', icon: AlertTriangle };

export function statusLook(status: string): StatusLook {
  return (STATUS_LOOK as Record<string, StatusLook>)[status] ?? { ...UNKNOWN, text: status.toLowerCase().replace(/_/g, ' ') };
}
