/** What mapping one compose service needs, and the refusal every mapper shares. */

export interface MapContext {
  service: string;
  project: string;
  /** Directory of the compose file: relative paths in it resolve here. */
  dir: string;
  top: { volumes: Record<string, unknown>; networks: Record<string, unknown> };
  vars: Record<string, string>;
  ignore: Set<string>;
  fail: (where: string, msg: string) => never;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Why a key is refused, when there is more to say than "not supported". */
const HINTS: Record<string, string> = {
  build: 'Driftless deploys images: build and push it first and give `image` (list build in spec.compose.ignore if the file has both)',
  container_name: 'Driftless names each replica itself (<application>-<channel>-<service>-<slot>-<id>), so replicas and start-first rollouts never collide',
  depends_on: 'Driftless deploys one service per Service document; order them with release channels, or list depends_on in spec.compose.ignore',
  links: 'use a shared network instead',
  extends: 'inline the extended service',
  secrets: 'mount the secret file with volumes, or pass it through env',
  configs: 'mount the file with volumes',
  profiles: 'each Driftless Service names its compose service explicitly',
};

export function refuseUnknown(obj: Record<string, unknown>, allowed: Set<string>, at: string, ctx: MapContext): void {
  const local = at.replace(/^services\.[^.]+\.?/, '');
  const refused = Object.keys(obj).filter((k) => !allowed.has(k) && !k.startsWith('x-') && !ctx.ignore.has(local ? `${local}.${k}` : k));
  if (refused.length === 0) return;
  const why = refused.map((k) => (HINTS[k] ? `${k} (${HINTS[k]})` : k)).join(', ');
  ctx.fail(at, `not supported by the docker runtime plugin: ${why}; remove ${refused.length === 1 ? 'it' : 'them'}, or list ${refused.length === 1 ? 'it' : 'them'} in spec.compose.ignore to deploy without ${refused.length === 1 ? 'it' : 'them'}`);
}
