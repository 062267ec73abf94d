import { Ban, CheckCircle2, Circle, Clock, ShieldAlert } from 'lucide-react';
import type { GateState, GateView } from '../model/gates.js';
import { Countdown, Since } from './Time.js';

const LOOK: Record<GateState, { text: string; tone: string; icon: typeof Clock }> = {
  open: { text: 'open', tone: 'ok', icon: CheckCircle2 },
  waiting: { text: 'waiting', tone: 'wait', icon: Clock },
  failing: { text: 'failing', tone: 'bad', icon: ShieldAlert },
  blocked: { text: 'blocked', tone: 'bad', icon: Ban },
  idle: { text: 'no release yet', tone: 'idle', icon: Circle },
};

const GATE_NAMES: Record<string, string> = {
  dependsOn: 'Upstream',
  soak: 'Soak',
  manualApproval: 'Approval',
  allowedTimes: 'Time window',
  alerts: 'Alerts',
  httpCheck: 'HTTP check',
};

/** Gates with their state and what is left: "1 of 2 approvals", "opens in 4m", "failing since 12:03". */
export function GateList({ gates, compact = false }: { gates: (GateView & { service?: string })[]; compact?: boolean }) {
  if (!gates.length) return compact ? null : <p className="muted">No gates: a release starts here as soon as it exists.</p>;
  return (
    <ul className={compact ? 'gates compact' : 'gates'}>
      {gates.map((g) => {
        const look = LOOK[g.state];
        const Icon = look.icon;
        return (
          <li key={g.key} className={`gate tone-text-${look.tone}`} data-gate={g.type} data-state={g.state}>
            <Icon size={14} aria-hidden />
            <span className="gate-name">{GATE_NAMES[g.type] ?? g.type}</span>
            <span className="sr-only">: {look.text}</span>
            <span className="gate-what" title={g.summary}>
              {gateDetail(g)}
              {g.service ? <span className="muted"> ({g.service})</span> : null}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function gateDetail(g: GateView) {
  if (g.state === 'open' && g.type !== 'manualApproval') return <span className="muted">{g.summary}</span>;
  if (g.until !== undefined && g.state === 'waiting') return <Countdown until={g.until} />;
  if (g.approvals && (g.state === 'waiting' || g.state === 'open')) {
    return (
      <span>
        {g.approvals.done} of {g.approvals.of} approvals{g.approvals.by.length ? <span className="muted"> ({g.approvals.by.join(', ')})</span> : null}
      </span>
    );
  }
  if (g.state === 'failing' && g.since) {
    return (
      <span>
        failing <Since at={g.since} prefix="since " />
      </span>
    );
  }
  return <span>{g.detail ?? g.summary}</span>;
}
