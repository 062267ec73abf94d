import type { ResultOf } from '../../graphql/graphql.js';
import type { ApplicationPipeline } from '../../graphql/operations/applications.js';
import { channelGateViews, gateViews, type GateView } from '../../model/gates.js';

export type PipelineApp = NonNullable<ResultOf<typeof ApplicationPipeline>['application']>;
export type PipelineChannel = PipelineApp['releaseChannels'][number];
export type PipelineInstance = PipelineChannel['instances'][number];

/** The same service in the channels `channel` depends on: soak and upstream gates read them. */
export function upstreamOf(app: PipelineApp, channel: PipelineChannel, service: string) {
  return channel.dependsOn.flatMap((name) => {
    const up = app.releaseChannels.find((c) => c.name === name);
    const i = up?.instances.find((x) => x.service.name === service);
    return i ? [{ channel: name, status: i.status, convergedReleaseId: i.convergedRelease?.id, convergedAt: i.convergedAt }] : [];
  });
}

export function instanceGates(app: PipelineApp, channel: PipelineChannel, i: PipelineInstance): GateView[] {
  return gateViews({
    channel: channel.name,
    status: i.status,
    reasons: i.reasons,
    dependsOn: channel.dependsOn,
    gates: channel.gates,
    desiredReleaseId: i.desiredRelease?.id,
    convergedReleaseId: i.convergedRelease?.id,
    approvals: i.desiredRelease?.approvals ?? [],
    upstream: upstreamOf(app, channel, i.service.name),
  });
}

/** Every release the pipeline mentions, for the label registry (ui/release-labels.ts). */
export function releasesIn(app: PipelineApp | null | undefined) {
  return app?.releaseChannels.flatMap((c) => c.instances.flatMap((i) => [i.desiredRelease, i.targetRelease, i.convergedRelease])) ?? [];
}

export function channelGates(app: PipelineApp, channel: PipelineChannel) {
  return channelGateViews(channel.instances.map((i) => ({ service: i.service.name, views: instanceGates(app, channel, i) })));
}
