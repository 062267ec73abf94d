import type { EventInput } from '../../model/events.js';
import { codeWords } from '../../model/status.js';
import { useHumanize } from '../../ui/release-labels.js';
import { Since } from '../../ui/Time.js';

/** Events newest first, as a timeline. */
export function Timeline({ events, empty }: { events: EventInput[]; empty: string }) {
  const humanize = useHumanize();
  if (!events.length) return <p className="muted">{empty}</p>;
  return (
    <ol className="timeline" tabIndex={0} aria-label="Events, newest first">
      {events.map((e) => (
        <li key={e.id} data-type={e.type}>
          <span className="tl-time">
            <Since at={e.at} />
          </span>
          <span className={`tl-type type-${e.type.toLowerCase()}`}>{codeWords(e.type)}</span>
          <span className="tl-message">{humanize(e.message)}</span>
          <span className="tl-actor muted">by {e.actor}</span>
        </li>
      ))}
    </ol>
  );
}
