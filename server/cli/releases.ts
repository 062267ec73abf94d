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
