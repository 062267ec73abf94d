import { memo, useMemo } from 'react';
import { Link } from 'wouter';
import { paths } from '../../app/paths.js';
import { pipelineOrder } from '../../model/channel-layout.js';
import { useHumanize } from '../../ui/release-labels.js';
import { releaseStep } from '../../ui/release-step.js';
import { StatusGlyph } from '../../ui/StatusBadge.js';
import { statusLook } from '../../ui/status-style.js';
import type { PipelineApp, PipelineInstance } from './pipeline-model.js';

const Cell = memo(function Cell({ app, channel, i }: { app: string; channel: string; i: PipelineInstance }) {
  const humanize = useHumanize();
  const reason = i.reasons[0] ? humanize(i.reasons[0].message) : undefined;
  return (
    <td className={`grid-cell tone-bg-${statusLook(i.status).tone}`} data-status={i.status} data-instance={`${channel}/${i.service.name}`}>
      <Link href={paths.instance(app, channel, i.service.name)} title={reason ?? statusLook(i.status).text}>
        <StatusGlyph status={i.status} />
        <span className="grid-release">{releaseStep(i)}</span>
        <span className="sr-only">
          {' '}
          {i.service.name} in {channel}
          {reason ? `: ${reason}` : ''}
        </span>
      </Link>
    </td>
  );
});

/** Every service in every channel: the whole application on one screen, each cell a way into its instance. */
export function InstanceGrid({ app }: { app: PipelineApp }) {
  const channels = useMemo(() => pipelineOrder(app.releaseChannels), [app.releaseChannels]);
  const services = useMemo(() => [...new Set(channels.flatMap((c) => c.instances.map((i) => i.service.name)))].sort(), [channels]);
  const index = useMemo(() => {
    const m = new Map<string, PipelineInstance>();
    for (const c of channels) for (const i of c.instances) m.set(`${c.name}\u0000${i.service.name}`, i);
    return m;
  }, [channels]);
  if (!services.length) return <p className="muted">No services yet: apply a Service document for this application.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Services by channel">
      <table className="grid">
        <caption className="sr-only">Release and status of every service in every channel</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            {channels.map((c) => (
              <th scope="col" key={c.id}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s}>
              <th scope="row">{s}</th>
              {channels.map((c) => {
                const i = index.get(`${c.name}\u0000${s}`);
                return i ? <Cell key={c.id} app={app.name} channel={c.name} i={i} /> : <td key={c.id} className="muted">—</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
