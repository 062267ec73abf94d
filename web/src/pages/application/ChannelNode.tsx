import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { PauseCircle } from 'lucide-react';
import { Link } from 'wouter';
import { paths } from '../../app/paths.js';
import { worstStatus } from '../../model/status.js';
import { GateList } from '../../ui/GateList.js';
import { useHumanize } from '../../ui/release-labels.js';
import { releaseStep } from '../../ui/release-step.js';
import { StatusBadge, StatusDot } from '../../ui/StatusBadge.js';
import type { ChannelFlowNode } from './graph-nodes.js';

/** One channel: its runtime, its gates as they stand, and each service's release, status and reason. */
export const ChannelNode = memo(function ChannelNode({ data }: NodeProps<ChannelFlowNode>) {
  const { app, channel, gates, rows, hidden } = data;
  const humanize = useHumanize();
  const worst = worstStatus(channel.instances.map((i) => i.status));
  return (
    <section className="channel-node" aria-label={`Channel ${channel.name}`} data-channel={channel.name}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="cn-head">
        <h3>{channel.name}</h3>
        {channel.paused ? (
          <span className="badge tone-paused badge-compact">
            <PauseCircle size={13} aria-hidden /> Paused
          </span>
        ) : worst ? (
          <StatusBadge status={worst} compact />
        ) : null}
        <p className="cn-runtime muted">
          on {channel.runtime.name} ({channel.runtime.plugin})
        </p>
      </div>
      {gates.length ? <GateList gates={gates} compact /> : null}
      <ul className="cn-services">
        {rows.map((i) => (
          <li key={i.id} className={i.status === 'CONVERGED' ? 'svc-row' : 'svc-row has-reason'} data-service={i.service.name} data-status={i.status}>
            <div className="svc-line">
              <StatusDot status={i.status} />
              <Link href={paths.instance(app, channel.name, i.service.name)} className="svc-name nodrag nopan">
                {i.service.name}
              </Link>
              <span className="svc-release">{releaseStep(i)}</span>
            </div>
            {i.status !== 'CONVERGED' && i.reasons[0] ? (
              <p className="svc-reason" title={i.reasons.map((r) => humanize(r.message)).join('\n')}>
                {humanize(i.reasons[0].message)}
              </p>
            ) : i.status !== 'CONVERGED' ? (
              <p className="svc-reason muted">{i.status.toLowerCase()}</p>
            ) : null}
          </li>
        ))}
        {!rows.length ? <li className="svc-row muted">No services in this channel.</li> : null}
        {hidden ? (
          <li className="svc-more muted">
            + {hidden} more (all in the grid below)
          </li>
        ) : null}
      </ul>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </section>
  );
});
