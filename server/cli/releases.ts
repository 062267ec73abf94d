import type { Api } from './api.js';
import { CliError, EXIT } from './errors.js';
import { unknownApplication } from './suggest.js';

const SERVICE = `query Service($a: String!) { application(name: $a) { name services { name latestRelease { id number label } releases(first: 100) { nodes { id number label } } } } }`;

export interface ReleaseRef {
  id: string;
  number: number;
  label: string;
}

/**
 * The release a command means: `--release` as a number (#), a label (v2) or a global id; without
 * it the service's latest release. Unknown app, service or release are input errors.
 */
export async function findRelease(api: Api, application: string, service: string, wanted?: string): Promise<ReleaseRef> {
  const data = await api.request(SERVICE, { a: application });
  if (!data.application) throw await unknownApplication(api, application);
  const svc = data.application.services.find((s: { name: string }) => s.name === service);
  if (!svc) {
    const names = data.application.services.map((s: { name: string }) => s.name).join(', ') || 'none';
    throw new CliError(`application ${application} has no service "${service}"`, EXIT.USAGE, `its services: ${names}`);
  }
  if (!wanted) {
    if (!svc.latestRelease) throw new CliError(`${application}/${service} has no release yet`, EXIT.USAGE, `create one: driftless release ${application}/${service} --param version=v1`);
    return svc.latestRelease;
  }
  const nodes: ReleaseRef[] = svc.releases.nodes;
  const hit = nodes.find((r) => String(r.number) === wanted.replace(/^#/, '') || r.id === wanted) ?? nodes.find((r) => r.label === wanted);
  if (!hit) throw new CliError(`${application}/${service} has no release "${wanted}"`, EXIT.USAGE, `recent releases: ${nodes.slice(0, 5).map((r) => `#${r.number} ${r.label}`).join(', ') || 'none'}`);
  return hit;
}

const WAITING = `query Waiting($a: String!) { application(name: $a) { name services { name } releaseChannels { name instances { service { name } desiredRelease { id number label } convergedRelease { label } } } } }`;

/** The release a channel is waiting for (its desired release there): what `approve` decides on without --release. */
export async function desiredIn(api: Api, application: string, service: string, channel: string): Promise<ReleaseRef> {
  const data = await api.request(WAITING, { a: application });
  if (!data.application) throw await unknownApplication(api, application);
  const ch = data.application.releaseChannels.find((c: { name: string }) => c.name === channel);
  if (!ch) throw new CliError(`application ${application} has no channel "${channel}"`, EXIT.USAGE, `its channels: ${data.application.releaseChannels.map((c: { name: string }) => c.name).join(', ')}`);
  const instance = ch.instances.find((i: { service: { name: string } }) => i.service.name === service);
  if (!instance) throw new CliError(`application ${application} has no service "${service}"`, EXIT.USAGE, `its services: ${data.application.services.map((s: { name: string }) => s.name).join(', ') || 'none'}`);
  if (!instance.desiredRelease) throw new CliError(`${application}/${service} has no release yet`, EXIT.USAGE, `create one: driftless release ${application}/${service} --param version=v1`);
  return instance.desiredRelease;
}

const PLAN = `query Plan($id: ID!, $c: String!) { node(id: $id) { ... on Release { label trigger basedOn { label } changeSummary plan(channel: $c) { running { label } changes { summary } } } } }`;

/** The plan an approver approves: what the release changes in the channel against what runs there now. */
export async function describePlan(api: Api, release: ReleaseRef, channel: string): Promise<string[]> {
  const { node } = await api.request(PLAN, { id: release.id, c: channel });
  if (!node?.plan) return [`${release.label} has no state for ${channel}`];
  const what = node.trigger === 'CONFIG' ? ` (a config change${node.basedOn ? ` on top of ${node.basedOn.label}` : ''})` : '';
  const lines = [`${node.label}${what} in ${channel}:`];
  // Nothing ran there yet: every field would be "added"; the release is the whole story.
  if (!node.plan.running) return [...lines, '  runs there now: nothing yet (this is the first release there)'];
  lines.push(`  runs there now: ${node.plan.running.label}`);
  if (node.plan.changes.length === 0) lines.push('  what changes: nothing (it runs exactly what runs there now)');
  else lines.push('  what changes:', ...node.plan.changes.map((c: { summary: string }) => `    ${c.summary}`));
  return lines;
}
