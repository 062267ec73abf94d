import { useMemo } from 'react';
import { PauseCircle } from 'lucide-react';
import { Link } from 'wouter';
import { useSubscription } from 'urql';
import { useLiveEvents, useLiveQuery } from '../../app/live.js';
import { paths } from '../../app/paths.js';
import { PageTitle } from '../../app/Shell.js';
import { ApplicationPipeline } from '../../graphql/operations/applications.js';
import { InstanceDetail, InstanceDetailChanges } from '../../graphql/operations/instance.js';
import { ApplicationEvents } from '../../graphql/operations/releases.js';
import { diffValues } from '../../model/diff.js';
import { matchesFilter, mergeEvents } from '../../model/events.js';
import { abilitiesOf, anyAbility } from '../../model/permissions.js';
import { codeWords } from '../../model/status.js';
import { useViewer } from '../../session/session.js';
import { GateList } from '../../ui/GateList.js';
import { useHumanize, useRememberReleases } from '../../ui/release-labels.js';
import { JsonView } from '../../ui/JsonView.js';
import { Loading, QueryError, Section } from '../../ui/Section.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { nextRelease } from '../../ui/release-step.js';
import { Since } from '../../ui/Time.js';
import { instanceGates } from '../application/pipeline-model.js';
import { ActionPanel } from './ActionPanel.js';
import { ObservedTable } from './ObservedTable.js';
import { PlanPanel } from './PlanPanel.js';
import { Timeline } from './Timeline.js';

const HISTORY = 300;

/** One service in one channel: where it stands, why, what runs, what applying the target changes, and what you may do about it. */
export function InstancePage({ app, channel, service }: { app: string; channel: string; service: string }) {
  const viewer = useViewer();
  // Until the viewer is known (right after a reload), no actions: better late than one too many.
  const abilities = abilitiesOf(viewer?.role);
  const [pipeline] = useLiveQuery({ query: ApplicationPipeline, variables: { name: app } });
  const application = pipeline.data?.application;
  const ch = application?.releaseChannels.find((c) => c.name === channel);
  const summary = ch?.instances.find((i) => i.service.name === service);
  const [detail] = useLiveQuery({ query: InstanceDetail, variables: { id: summary?.id ?? '' }, pause: !summary });
  useSubscription({ query: InstanceDetailChanges, variables: { application: app } });
  const [history] = useLiveQuery({ query: ApplicationEvents, variables: { application: app, first: HISTORY }, requestPolicy: 'cache-and-network' });
  const live = useLiveEvents([app]);
  const events = useMemo(() => mergeEvents(live, history.data?.events.nodes ?? []).filter((e) => matchesFilter(e, { application: app, channel, service })), [live, history.data, app, channel, service]);

  const node = detail.data?.node;
  const instance = node && 'status' in node ? node : undefined;
  useRememberReleases(instance?.service.releases.nodes);
  const humanize = useHumanize();
  const title = `${service} in ${channel}`;
  const error = pipeline.error ?? detail.error ?? history.error;

  const head = (
    <div className="page-head">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href={paths.applications}>Applications</Link> / <Link href={paths.application(app)}>{app}</Link> / <span>{channel}</span>
      </nav>
      <PageTitle title={title}>
        {service} <span className="muted">in</span> {channel}
        {instance ? <StatusBadge status={instance.status} /> : null}
        {instance?.paused ? (
          <span className="badge tone-paused title-badge">
            <PauseCircle size={15} aria-hidden /> Paused
          </span>
        ) : null}
      </PageTitle>
    </div>
  );

  if (error) return <div className="page">{head}<QueryError error={error} /></div>;
  if (pipeline.data && !summary) return <div className="page">{head}<p role="alert">There is no service “{service}” in channel “{channel}” of “{app}”, or this token may not see it.</p></div>;
  if (!instance || !application || !ch) return <div className="page">{head}<Loading what={title} /></div>;

  const releases = instance.service.releases.nodes;
  const gates = instanceGates(application, ch, summary!);
  const next = nextRelease(instance);
  // The full objects (with params) of the same release.
  const target = [instance.targetRelease, instance.desiredRelease, instance.convergedRelease].find((r) => r && r.id === next?.id);
  const planChanges = target ? diffValues(instance.convergedRelease?.params ?? {}, target.params).map((c) => ({ ...c, path: `params.${c.path}` })) : [];
  const plan = target ? (
    <PlanPanel changes={planChanges} from={instance.convergedRelease?.label} to={target.label} note="Shown: the parameters that change. The full field-level plan (spec and env against what runs) comes with the API's per-channel plan." />
  ) : null;
  const hasApprovalGate = ch.gates.some((g) => g.type === 'manualApproval');
  const approvable = hasApprovalGate && !!instance.desiredRelease && !(instance.status === 'CONVERGED' && instance.convergedRelease?.id === instance.desiredRelease.id) && instance.reasons.some((r) => r.code === 'AWAITING_APPROVAL' || r.code === 'RELEASE_REJECTED');

  return (
    <div className="page instance-page">
      {head}
      <div className="instance-layout">
        <div className="instance-main">
          <Section title="Why" id="why">
            {instance.reasons.length ? (
              <ul className="reasons">
                {instance.reasons.map((r) => (
                  <li key={r.code + r.message} data-code={r.code}>
                    <span className="reason-code">{codeWords(r.code)}</span>
                    <span className="reason-message">{humanize(r.message)}</span>
                    <span className="muted small">
                      <Since at={r.since} prefix="since " />
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p>
                Converged on <strong>{instance.convergedRelease?.label}</strong>
                {instance.convergedAt ? (
                  <>
                    {' '}
                    <Since at={instance.convergedAt} prefix="since " />
                  </>
                ) : null}
                .
              </p>
            )}
            <p className="muted small">
              Status {instance.status.toLowerCase().replace(/_/g, ' ')} <Since at={instance.statusSince} prefix="since " />.
            </p>
          </Section>
          <Section title="Releases" id="releases">
            <dl className="release-facts">
              <div>
                <dt>Desired</dt>
                <dd>{instance.desiredRelease ? <>{instance.desiredRelease.label} <span className="muted small">by {instance.desiredRelease.createdBy}, <Since at={instance.desiredRelease.createdAt} /></span></> : 'none yet'}</dd>
              </div>
              <div>
                <dt>Target</dt>
                <dd>{instance.targetRelease ? instance.targetRelease.label : 'none'}{instance.targetRelease && instance.desiredRelease && instance.targetRelease.id !== instance.desiredRelease.id ? <span className="muted small"> (held back from {instance.desiredRelease.label})</span> : null}</dd>
              </div>
              <div>
                <dt>Converged</dt>
                <dd>{instance.convergedRelease ? <>{instance.convergedRelease.label}{instance.convergedAt ? <span className="muted small"> <Since at={instance.convergedAt} /></span> : null}</> : 'not yet'}</dd>
              </div>
            </dl>
          </Section>
          <Section title="Plan" id="plan">
            {plan ?? <p className="muted">No release to apply.</p>}
          </Section>
          <Section title="Gates" id="gates">
            <GateList gates={gates} />
          </Section>
          <Section title="Observed" id="observed">
            <ObservedTable observed={instance.observed} releases={releases} />
          </Section>
          <Section title="Compiled desired state" id="desired">
            {instance.desiredState ? (
              <details>
                <summary>
                  {instance.desiredState.plugin} on {instance.desiredState.runtime}, digest <code>{instance.desiredState.digest.slice(0, 12)}</code>
                </summary>
                <JsonView label="Rendered spec" value={instance.desiredState.spec} />
                <JsonView label="Environment" value={instance.desiredState.env} />
              </details>
            ) : (
              <p className="muted">No release compiled for this channel yet.</p>
            )}
          </Section>
        </div>
        <aside className="instance-side" aria-label="Actions and history">
          {anyAbility(abilities) ? (
            <Section title="Actions" id="actions">
              <ActionPanel
                abilities={abilities}
                plan={plan}
                target={{
                  app,
                  channel,
                  service,
                  paused: instance.paused,
                  desiredRelease: instance.desiredRelease,
                  convergedRelease: instance.convergedRelease,
                  approvable,
                  rollbackable: !!instance.convergedRelease || !!instance.targetRelease,
                }}
              />
            </Section>
          ) : null}
          <Section title="Events" id="events">
            <Timeline events={events} empty="Nothing has happened here yet." />
          </Section>
        </aside>
      </div>
    </div>
  );
}
