import { memo, useEffect, useMemo } from 'react';
import { ChevronRight, PauseCircle } from 'lucide-react';
import { Link } from 'wouter';
import { useInstanceUpdates, useLiveQuery } from '../../app/live.js';
import { paths } from '../../app/paths.js';
import { ApplicationPipeline } from '../../graphql/operations/applications.js';
import { pipelineOrder } from '../../model/channel-layout.js';
import { summarize, type ApplicationSummary } from '../../model/summary.js';
import { QueryError } from '../../ui/Section.js';
import { StatusBadge, StatusDot } from '../../ui/StatusBadge.js';
import { useRememberReleases } from '../../ui/release-labels.js';
import { statusLook } from '../../ui/status-style.js';
import { releasesIn } from '../application/pipeline-model.js';

export const ApplicationCard = memo(function ApplicationCard({ name, onSummary }: { name: string; onSummary(name: string, s: ApplicationSummary): void }) {
  const [{ data, error }] = useLiveQuery({ query: ApplicationPipeline, variables: { name } });
  useInstanceUpdates(name);
  const app = data?.application;
  const channels = useMemo(() => (app ? pipelineOrder(app.releaseChannels) : []), [app]);
  const summary = useMemo(() => summarize(channels), [channels]);
  useRememberReleases(useMemo(() => releasesIn(app), [app]));
  useEffect(() => {
    if (app) onSummary(name, summary);
  }, [app, name, summary, onSummary]);

  const titleId = `app-${name}-title`;
  return (
    <article className="card app-card" aria-labelledby={titleId}>
      <div className="card-head">
        <h2 id={titleId}>
          <Link href={paths.application(name)}>{name}</Link>
        </h2>
        {app?.paused ? (
          <span className="badge tone-paused">
            <PauseCircle size={14} aria-hidden /> Paused
          </span>
        ) : summary.worst ? (
          <StatusBadge status={summary.worst} />
        ) : null}
      </div>
      {error ? <QueryError error={error} /> : null}
      {app ? (
        <>
          <ol className="pipeline" aria-label={`${name} channels in order`}>
            {summary.channels.map((c, i) => (
              <li key={c.name} className="pipeline-step">
                {i > 0 ? <ChevronRight size={14} aria-hidden className="muted" /> : null}
                <Link href={paths.application(name)} className={`chip tone-${c.worst ? statusLook(c.worst).tone : 'idle'}`}>
                  {c.worst ? <StatusDot status={c.worst} /> : null}
                  <span>{c.name}</span>
                  {c.notConverged ? <span className="chip-count">{c.notConverged} of {c.total} not converged</span> : null}
                </Link>
              </li>
            ))}
          </ol>
          <p className="counts">
            {summary.instances ? (
              summary.counts.map((c, i) => (
                <span key={c.status}>
                  {i ? ' · ' : ''}
                  {c.count} {statusLook(c.status).text.toLowerCase()}
                </span>
              ))
            ) : (
              <span className="muted">No services yet.</span>
            )}
          </p>
          {summary.waitingOnPeople.length ? (
            <p className="needs-you">
              {summary.waitingOnPeople.length} waiting on approval: {summary.waitingOnPeople.map((w) => `${w.service} ${w.release ?? ''} → ${w.channel}`).join(', ')}
            </p>
          ) : null}
          <p className="card-links">
            <Link href={paths.application(name)}>Pipeline</Link> · <Link href={paths.releases(name)}>Releases</Link> · <Link href={paths.events({ application: name })}>Events</Link>
          </p>
        </>
      ) : null}
    </article>
  );
});
