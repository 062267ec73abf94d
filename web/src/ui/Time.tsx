import { clockTime, formatDuration, relative } from '../model/time.js';
import { useNow } from './use-now.js';

/** "12:03 (4m ago)", with the full date on hover and in the markup. */
export function Since({ at, prefix = '' }: { at: string; prefix?: string }) {
  const now = useNow(10_000);
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {prefix}
      {clockTime(at, now)} <span className="muted">({relative(at, now)})</span>
    </time>
  );
}

/** A live countdown to an instant ("opens in 4m 10s"). */
export function Countdown({ until, label = 'opens' }: { until: number; label?: string }) {
  const now = useNow(1000);
  const left = until - now;
  return (
    <time dateTime={new Date(until).toISOString()} title={new Date(until).toLocaleString()}>
      {left > 0 ? `${label} in ${formatDuration(left)}` : `${label} now`}
    </time>
  );
}
