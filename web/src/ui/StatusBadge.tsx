import { statusLook } from './status-style.js';

/** Status in words with its icon and colour: never colour alone. */
export function StatusBadge({ status, compact = false }: { status: string; compact?: boolean }) {
  const look = statusLook(status);
  const Icon = look.icon;
  return (
    <span className={`badge tone-${look.tone}${compact ? ' badge-compact' : ''}`} data-status={status}>
      <Icon size={compact ? 13 : 15} aria-hidden className={status === 'CONVERGING' ? 'spin' : undefined} />
      <span>{look.text}</span>
    </span>
  );
}

/** Just the icon, for dense grids; the words are still there for screen readers and on hover. */
export function StatusDot({ status }: { status: string }) {
  const look = statusLook(status);
  const Icon = look.icon;
  return (
    <span className={`dot tone-${look.tone}`} title={look.text} data-status={status}>
      <Icon size={14} aria-hidden className={status === 'CONVERGING' ? 'spin' : undefined} />
      <span className="sr-only">{look.text}</span>
    </span>
  );
}

/** A text glyph for grids of hundreds of cells: shape and colour, and the words for screen readers. */
export function StatusGlyph({ status }: { status: string }) {
  const look = statusLook(status);
  return (
    <span className={`glyph tone-text-${look.tone}`} title={look.text} data-status={status}>
      <span aria-hidden>{look.glyph}</span>
      <span className="sr-only">{look.text}</span>
    </span>
  );
}
