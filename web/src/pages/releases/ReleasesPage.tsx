import { useEffect, useId, useMemo, useState } from 'react';
import { useInstanceUpdates, useLiveEvents, useLiveQuery } from '../../app/live.js';
import { ApplicationPipeline } from '../../graphql/operations/applications.js';
import { ApplicationEvents, ReleaseList } from '../../graphql/operations/releases.js';
import { pipelineOrder } from '../../model/channel-layout.js';
import { mergeEvents } from '../../model/events.js';
import { useRememberReleases } from '../../ui/release-labels.js';
import { Loading, QueryError, Section } from '../../ui/Section.js';
import { AppHeader } from '../application/AppHeader.js';
import { ReleaseMatrix } from './ReleaseMatrix.js';

const PAGE = 50;
const HISTORY = 300;

export function ReleasesPage({ app }: { app: string }) {
  const [pipeline] = useLiveQuery({ query: ApplicationPipeline, variables: { name: app } });
  const [releases, refetchReleases] = useLiveQuery({ query: ReleaseList, variables: { name: app, first: PAGE } });
  const [history] = useLiveQuery({ query: ApplicationEvents, variables: { application: app, first: HISTORY }, requestPolicy: 'cache-and-network' });
  useInstanceUpdates(app);
  const live = useLiveEvents([app]);
  const [service, setService] = useState('');
  const filterId = useId();

  // A new release arrives as an event; load the list again then (an event, not a timer).
  const newest = live.find((e) => e.type === 'RELEASE_CREATED')?.id;
  useEffect(() => {
    if (newest) refetchReleases({ requestPolicy: 'network-only' });
  }, [newest, refetchReleases]);

  const application = pipeline.data?.application;
  const channels = useMemo(() => (application ? pipelineOrder(application.releaseChannels) : []), [application]);
  const events = useMemo(() => mergeEvents(live, history.data?.events.nodes ?? []), [live, history.data]);
  const all = useMemo(() => releases.data?.application?.releases.nodes ?? [], [releases.data]);
  useRememberReleases(all);
  const services = [...new Set(all.map((r) => r.service.name))].sort();
  const shown = service ? all.filter((r) => r.service.name === service) : all;
  const error = pipeline.error ?? releases.error ?? history.error;

  return (
    <div className="page">
      <AppHeader app={app} current="releases" paused={application?.paused} />
      {error ? <QueryError error={error} /> : null}
      {!application && (pipeline.fetching || releases.fetching) ? <Loading what="releases" /> : null}
      {pipeline.data && !application ? <p role="alert">There is no application “{app}”, or this token may not see it.</p> : null}
      {application ? (
        <Section
          title="Releases by channel"
          id="matrix"
          actions={
            services.length > 1 ? (
              <span className="inline-field">
                <label htmlFor={filterId}>Service</label>
                <select id={filterId} value={service} onChange={(e) => setService(e.target.value)}>
                  <option value="">all services</option>
                  {services.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </span>
            ) : null
          }
        >
          <p className="muted small">
            Newest first. Each cell is where that release stands in that channel; the highlighted ones run there now.
            {releases.data?.application && releases.data.application.releases.totalCount > PAGE ? ` Showing the newest ${PAGE} of ${releases.data.application.releases.totalCount}.` : ''}
          </p>
          {shown.length ? <ReleaseMatrix app={application} channels={channels} releases={shown} events={events} /> : <p className="muted">No releases yet. Create one with <code>driftless release {app}/&lt;service&gt; --param version=v1</code>.</p>}
        </Section>
      ) : null}
    </div>
  );
}
