import { useMemo } from 'react';
import type { ResultOf } from '../../graphql/graphql.js';
import type { ReleaseList } from '../../graphql/operations/releases.js';
import { paths } from '../../app/paths.js';
import type { EventInput } from '../../model/events.js';
import { paramChanges, releaseCell, releaseHistory, type ReleaseHistory } from '../../model/matrix.js';
import { rowIdOf } from '../../model/release-ids.js';
import { Since } from '../../ui/Time.js';
import type { PipelineApp, PipelineChannel } from '../application/pipeline-model.js';
import { ReleaseCell } from './ReleaseCell.js';

type Release = NonNullable<ResultOf<typeof ReleaseList>['application']>['releases']['nodes'][number];

/** Releases (rows, newest first) × channels (columns, in pipeline order). */
export function ReleaseMatrix({ app, channels, releases, events }: { app: PipelineApp; channels: PipelineChannel[]; releases: Release[]; events: EventInput[] }) {
  const histories = useMemo(() => {
    const m = new Map<string, ReleaseHistory>();
    for (const s of new Set(releases.map((r) => r.service.name))) m.set(s, releaseHistory(events, s));
    return m;
  }, [releases, events]);
  // The previous release of the same service: what this one changed against it.
  const previous = useMemo(() => {
    const m = new Map<string, Release | undefined>();
    for (const r of releases) m.set(r.id, releases.find((p) => p.service.name === r.service.name && p.number < r.number && !releases.some((q) => q.service.name === r.service.name && q.number < r.number && q.number > p.number)));
    return m;
  }, [releases]);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Releases by channel">
      <table className="matrix">
        <caption className="sr-only">Where each release of {app.name} stands in each channel</caption>
        <thead>
          <tr>
            <th scope="col">Release</th>
            {channels.map((c) => (
              <th scope="col" key={c.id}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => {
            const name = `${r.service.name} ${r.label}`;
            const rowId = rowIdOf(r.id);
            return (
              <tr key={r.id} data-release={name}>
                <th scope="row" className="release-head">
                  <span className="release-label">
                    {r.service.name} <strong>{r.label}</strong> <span className="muted small">#{r.number}</span>
                  </span>
                  <span className="release-kind small" title="the API does not tell version and config releases apart yet">
                    {paramChanges(r.params, previous.get(r.id)?.params)}
                  </span>
                  <span className="muted small">
                    by {r.createdBy}, <Since at={r.createdAt} />
                  </span>
                </th>
                {channels.map((c) => {
                  const instance = c.instances.find((i) => i.service.name === r.service.name);
                  const cell = releaseCell(
                    { id: r.id, rowId },
                    c.name,
                    instance && { status: instance.status, reasons: instance.reasons, desiredReleaseId: instance.desiredRelease?.id, targetReleaseId: instance.targetRelease?.id, convergedReleaseId: instance.convergedRelease?.id, convergedLabel: instance.convergedRelease?.label },
                    histories.get(r.service.name)!,
                  );
                  return <ReleaseCell key={c.id} cell={cell} href={paths.instance(app.name, c.name, r.service.name)} channel={c.name} release={name} />;
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
