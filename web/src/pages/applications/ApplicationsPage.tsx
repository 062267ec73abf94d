import { useCallback, useMemo, useState } from 'react';
import { Hand } from 'lucide-react';
import { Link } from 'wouter';
import { useLiveQuery } from '../../app/live.js';
import { paths } from '../../app/paths.js';
import { PageTitle } from '../../app/Shell.js';
import { ApplicationNames } from '../../graphql/operations/applications.js';
import type { ApplicationSummary } from '../../model/summary.js';
import { severity } from '../../model/status.js';
import { Loading, QueryError } from '../../ui/Section.js';
import { Since } from '../../ui/Time.js';
import { ApplicationCard } from './ApplicationCard.js';

/**
 * Every application as a compact pipeline. Each card loads and watches its own application; the
 * page orders them by what they report: waiting on people first, then the worst status.
 */
export function ApplicationsPage() {
  const [{ data, error, fetching }] = useLiveQuery({ query: ApplicationNames });
  const [summaries, setSummaries] = useState<Record<string, ApplicationSummary>>({});
  const report = useCallback((name: string, s: ApplicationSummary) => setSummaries((prev) => (prev[name] === s ? prev : { ...prev, [name]: s })), []);

  const names = useMemo(() => {
    const list = data?.applications.nodes.map((a) => a.name) ?? [];
    const rank = (n: string) => {
      const s = summaries[n];
      return s ? (s.waitingOnPeople.length ? 1000 : 0) + severity(s.worst ?? 'CONVERGED') : -1;
    };
    return [...list].sort((a, b) => rank(b) - rank(a) || a.localeCompare(b));
  }, [data, summaries]);
  const waiting = names.flatMap((n) => (summaries[n]?.waitingOnPeople ?? []).map((w) => ({ ...w, application: n })));

  return (
    <div className="page">
      <PageTitle title="Applications" />
      {error ? <QueryError error={error} /> : null}
      {fetching && !data ? <Loading what="applications" /> : null}
      {waiting.length ? (
        <section className="card attention" aria-labelledby="waiting-title">
          <h2 id="waiting-title">
            <Hand size={18} aria-hidden /> Waiting on people
          </h2>
          <ul className="plain-list">
            {waiting.map((w) => (
              <li key={`${w.application}/${w.channel}/${w.service}`}>
                <Link href={paths.instance(w.application, w.channel, w.service)}>
                  {w.application} · {w.service} {w.release ?? ''} → {w.channel}
                </Link>{' '}
                <span className="muted">
                  {w.message}, <Since at={w.since} prefix="since " />
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {data && !names.length ? (
        <div className="card empty">
          <p>No applications yet{data.applications.totalCount === 0 ? '' : ' that this token may see'}.</p>
          <p className="muted">
            Apply a config with <code>driftless apply -f examples/hello</code>, then create a release.
          </p>
        </div>
      ) : null}
      <div className="app-grid">
        {names.map((name) => (
          <ApplicationCard key={name} name={name} onSummary={report} />
        ))}
      </div>
    </div>
  );
}
