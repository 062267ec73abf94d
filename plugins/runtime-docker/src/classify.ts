/**
 * Which release each container belongs to, measured against the target: the target's own
 * (`current`), the target's but drifted (another digest, edited by hand, stopped), or an older
 * release (`old`). Adopted containers count as the target's while they run its image, command and
 * env; otherwise they are an old version named "adopted", replaced by the rollout. Pure.
 */
import type { TargetState } from '@driftless/plugin-sdk';
import type { Condition } from './assess.js';
import { envMap, differences } from './expect.js';
import { REPLICA_ENV, type ServiceTemplate } from './template.js';
import type { ContainerView } from './view.js';

export const ADOPTED_VERSION = 'adopted';

export interface Replica {
  view: ContainerView;
  condition: Condition;
  /** The version reported for it: its release, or the target's / "adopted" for adopted containers. */
  version: string;
  role: 'current' | 'drifted' | 'old';
  /** Why it is drifted, in words ("env VERSION was changed"). */
  drift: string[];
  /** Its replica slot (ports are hostPort + slot), when known. */
  slot?: number;
  /** Docker's RestartCount plus the restarts carried over from the replicas it replaced. */
  restarts: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/** Does an adopted container run what the target asks for (image, command, env)? */
export function adoptable(view: ContainerView, template: ServiceTemplate, imageId: string | undefined): boolean {
  if (!imageId || view.actual.image !== imageId) return false;
  if (template.entrypoint && !same(view.actual.entrypoint, template.entrypoint)) return false;
  if (template.cmd && !same(view.actual.cmd, template.cmd)) return false;
  const env = envMap(view.actual.env);
  return Object.entries(template.env).every(([k, v]) => REPLICA_ENV.includes(k) || /^PORT_/.test(k) || env[k] === v);
}

/** An adopted container's slot, from the port it serves on (host network: its PORT variable). */
export function adoptedSlot(view: ContainerView, template: ServiceTemplate): number | undefined {
  const first = template.ports[0];
  if (!first) return undefined;
  const port = view.network === 'host' ? Number(envMap(view.actual.env).PORT) : view.published[`${first.containerPort}/${first.protocol}`];
  const slot = port ? port - first.hostPort : NaN;
  return Number.isInteger(slot) && slot >= 0 && slot < template.replicas + template.update.maxSurge ? slot : undefined;
}

export interface ClassifyInput {
  view: ContainerView;
  condition: Condition;
  target?: Pick<TargetState, 'version' | 'digest'>;
  template?: ServiceTemplate;
  /** The target image's id on the host, when known (for adoption). */
  imageId?: string;
}

export function classify({ view, condition, target, template, imageId }: ClassifyInput): Replica {
  const restarts = view.restartCount + view.carriedRestarts;
  if (!view.managed) {
    const current = target !== undefined && template !== undefined && adoptable(view, template, imageId);
    const slot = template ? adoptedSlot(view, template) : undefined;
    return { view, condition, version: current ? target!.version : ADOPTED_VERSION, role: current ? 'current' : 'old', drift: [], restarts, ...(slot !== undefined ? { slot } : {}) };
  }
  const version = view.version ?? 'unknown';
  const slot = view.slot !== undefined ? { slot: view.slot } : {};
  if (!target || version !== target.version) return { view, condition, version, role: 'old', drift: [], restarts, ...slot };
  const drift: string[] = [];
  if (view.digest !== target.digest) drift.push(`it runs this release's configuration of digest ${(view.digest ?? 'none').slice(0, 12)}, the target's is ${target.digest.slice(0, 12)}`);
  if (!view.expect) drift.push('its io.driftless.expect label is missing or unreadable (edited by hand?)');
  else drift.push(...differences(view.expect, view.actual));
  if (view.state === 'exited' || view.state === 'dead') drift.push('it is not running');
  return { view, condition, version, role: drift.length > 0 ? 'drifted' : 'current', drift, restarts, ...slot };
}
