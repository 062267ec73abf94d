import { useMemo } from 'react';
import { useInstanceUpdates, useLiveQuery } from '../../app/live.js';
import { ApplicationPipeline } from '../../graphql/operations/applications.js';
import { useRememberReleases } from '../../ui/release-labels.js';
import { Loading, QueryError, Section } from '../../ui/Section.js';
import { AppHeader } from './AppHeader.js';
import { ChannelGraph } from './ChannelGraph.js';
import { DeliveryTiles } from './DeliveryTiles.js';
import { InstanceGrid } from './InstanceGrid.js';
import { releasesIn } from './pipeline-model.js';

export function ApplicationPage({ app }: { app: string }) {
  const [{ data, error, fetching }] = useLiveQuery({ query: ApplicationPipeline, variables: { name: app } });
  useInstanceUpdates(app);
  const application = data?.application;
  useRememberReleases(useMemo(() => releasesIn(application), [application]));
  return (
    <div className="page">
      <AppHeader app={app} current="pipeline" paused={application?.paused} />
      {error ? <QueryError error={error} /> : null}
      {fetching && !data ? <Loading what={app} /> : null}
      {data && !application ? <p role="alert">There is no application “{app}”, or this token may not see it.</p> : null}
      {application ? (
        <>
          <Section title="Channels" id="channels">
            {application.releaseChannels.length ? <ChannelGraph app={application} /> : <p className="muted">This application has no release channels.</p>}
          </Section>
          <Section title="Services by channel" id="grid" className="lazy-render">
            <InstanceGrid app={application} />
          </Section>
          <DeliveryTiles app={app} />
        </>
      ) : null}
    </div>
  );
}
