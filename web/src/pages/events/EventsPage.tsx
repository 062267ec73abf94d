import { useId, useMemo } from 'react';
import { Radio } from 'lucide-react';
import { Link, useSearchParams } from 'wouter';
import { useLive, useLiveEvents, useLiveQuery } from '../../app/live.js';
import { paths } from '../../app/paths.js';
import { PageTitle } from '../../app/Shell.js';
import { enumValues } from '../../graphql/enum-values.js';
import { ApplicationNames } from '../../graphql/operations/applications.js';
import { ApplicationEvents, ReleaseList } from '../../graphql/operations/releases.js';
import { aboutEvent, matchesFilter, mergeEvents, type EventFilter } from '../../model/events.js';
import { codeWords } from '../../model/status.js';
import { useHumanize, useRememberReleases } from '../../ui/release-labels.js';
import { QueryError, Section } from '../../ui/Section.js';
import { Since } from '../../ui/Time.js';

const HISTORY = 200;

/** Loads an application's recent releases so event messages can name them by label. */
function KnownReleases({ app }: { app: string }) {
  const [{ data }] = useLiveQuery({ query: ReleaseList, variables: { name: app, first: 50 } });
  useRememberReleases(data?.application?.releases.nodes);
  return null;
}
const FIELDS = ['application', 'channel', 'type', 'actor'] as const;

/** The event stream, live, with filters kept in the address (so a filtered view can be shared). */
export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filter: EventFilter = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? undefined]));
  const [apps] = useLiveQuery({ query: ApplicationNames });
  const appNames = useMemo(() => apps.data?.applications.nodes.map((a) => a.name) ?? [], [apps.data]);
  const [history] = useLiveQuery({ query: ApplicationEvents, variables: { application: filter.application ?? null, first: HISTORY }, requestPolicy: 'cache-and-network' });
  const live = useLiveEvents(filter.application ? [filter.application] : appNames);
  const { connected } = useLive();
  const humanize = useHumanize();
  const all = useMemo(() => mergeEvents(live, history.data?.events.nodes ?? []), [live, history.data]);
  const shown = all.filter((e) => matchesFilter(e, filter));
  const channels = [...new Set(all.map((e) => aboutEvent(e).channel).filter((c): c is string => !!c))].sort();
  const actors = [...new Set(all.map((e) => e.actor))].sort();
  const types = enumValues('EventType');
  const ids = { application: useId(), channel: useId(), type: useId(), actor: useId() };
  const set = (field: (typeof FIELDS)[number], value: string) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (value) next.set(field, value);
      else next.delete(field);
      return next;
    });
  const select = (field: (typeof FIELDS)[number], label: string, options: string[], words = (v: string) => v) => (
    <span className="inline-field">
      <label htmlFor={ids[field]}>{label}</label>
      <select id={ids[field]} value={filter[field] ?? ''} onChange={(e) => set(field, e.target.value)}>
        <option value="">any</option>
        {[...new Set([...(filter[field] ? [filter[field]!] : []), ...options])].map((o) => (
          <option key={o} value={o}>
            {words(o)}
          </option>
        ))}
      </select>
    </span>
  );

  return (
    <div className="page">
      <PageTitle title="Events" />
      {(filter.application ? [filter.application] : appNames).map((a) => (
        <KnownReleases key={a} app={a} />
      ))}
      <Section
        title="History and live events"
        id="events"
        actions={
          <span className={connected ? 'live on' : 'live off'}>
            <Radio size={14} aria-hidden /> {connected ? 'new events appear as they happen' : 'connecting…'}
          </span>
        }
      >
        <form className="filters" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
          {select('application', 'Application', appNames)}
          {select('channel', 'Channel', channels)}
          {select('type', 'Type', types, codeWords)}
          {select('actor', 'Actor', actors)}
          {FIELDS.some((f) => filter[f]) ? (
            <Link href={paths.events()} className="button ghost">
              Clear filters
            </Link>
          ) : null}
        </form>
        {history.error ? <QueryError error={history.error} /> : null}
        <p className="muted small" role="status">
          {shown.length} of {all.length} events{history.data && history.data.events.totalCount > HISTORY ? ` (the newest ${HISTORY} of ${history.data.events.totalCount} in the history, and everything since)` : ''}
        </p>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Events">
          <table className="data events-table">
            <caption className="sr-only">Events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Application</th>
                <th scope="col">What</th>
                <th scope="col">Message</th>
                <th scope="col">Actor</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => {
                const about = aboutEvent(e);
                return (
                  <tr key={e.id} data-type={e.type}>
                    <td className="nowrap">
                      <Since at={e.at} />
                    </td>
                    <td>
                      {about.application ? (
                        about.channel && about.service ? (
                          <Link href={paths.instance(about.application, about.channel, about.service)}>
                            {about.application}/{about.channel}/{about.service}
                          </Link>
                        ) : (
                          <Link href={paths.application(about.application)}>{about.application}</Link>
                        )
                      ) : (
                        <span className="muted">{e.subject}</span>
                      )}
                    </td>
                    <td className="nowrap">{codeWords(e.type)}</td>
                    <td>{humanize(e.message)}</td>
                    <td className="nowrap">{e.actor}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}
