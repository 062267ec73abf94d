import type { TargetState } from '@driftless/plugin-sdk';
import type { HostView } from './host-state.js';
import { onTarget, overdue } from './observe.js';

/** Where one host stands against the target. */
export type Standing =
  /** The target runs and is healthy. */
  | 'done'
  /** The target runs, not healthy yet but within its health timeout: wait for it. */
  | 'starting'
  /** Nothing serves here (nothing deployed, record unreadable, process dead, unhealthy for too long): deploy. */
  | 'broken'
  /** Another release (or the target with another digest) serves here: replace it. */
  | 'old'
  | 'unreachable';

export function standing(view: HostView, target: Pick<TargetState, 'version' | 'digest'>, now: number): Standing {
  switch (view.kind) {
    case 'unreachable':
      return 'unreachable';
    case 'empty':
    case 'invalid':
      return 'broken';
    case 'deployed':
      if (!view.alive || overdue(view, now)) return 'broken';
      if (!onTarget(view.record, target)) return view.healthy ? 'old' : 'broken';
      return view.healthy ? 'done' : 'starting';
  }
}
