import type { TargetState } from '@driftless/plugin-sdk';
import type { TickInput, TickResult } from '../../worker/types.js';
import type { ChannelInfo, ConfigCache } from './config-cache.js';
import type { InstanceContext, EngineSettings } from './draft.js';
import type { Outcome } from './finish.js';
import { gatesOf } from './contexts.js';
import { isHealthGate } from './gates/index.js';

/**
 * The short re-check of a converged instance (issue 17). Once a full tick (read, plan, tick,
 * finish) found an instance converged and wrote nothing, its next checks need none of that: the
 * owner keeps this much of it in memory, sends the worker pool the target with the digest of what
 * it saw, and as long as the pool answers "as expected" nothing is read, decoded, planned or
 * written. Anything else (drift, an error, a wake, a config change) makes the next check a full one.
 */
export interface SteadyCheck {
  target: TargetState;
  /** Digest of the converged look (worker/steady-digest.ts). */
  expect: string;
  /** ConfigCache.generation it was taken at: valid for that generation only. */
  generation: number;
}

/**
 * What a full tick leaves for the short check, or undefined where the next look must be a full
 * one: anything but plain CONVERGED with nothing to say, anything that counts time (a crash
 * window, a hold, a step, stabilization or verification still running), anything waiting for a
 * next release, and instances with health gates (their result is read every tick).
 */
export function steadyCheckAfter(ctx: InstanceContext, input: TickInput | undefined, outcome: Outcome, result: TickResult | undefined, finishedAt: number, settings: EngineSettings, generation: number): SteadyCheck | undefined {
  const u = outcome.update;
  const i = ctx.instance;
  const es = u.engineState;
  if (!input?.target || !result?.steadyDigest || input.mode !== 'converge' || outcome.events.length) return undefined;
  if (u.status !== 'CONVERGED' || u.reasons.length || u.nextCheckAt !== finishedAt + settings.steadyIntervalMs) return undefined;
  if (i.desiredReleaseId !== u.targetReleaseId || u.targetReleaseId !== u.convergedReleaseId || i.paused || i.pin) return undefined;
  // The candidate stays the converged release once it is reached; another one is a next release to steer to.
  if (es.candidate && es.candidate.releaseId !== u.convergedReleaseId) return undefined;
  if (es.mode === 'rollback' || es.hold || es.down || es.step || es.failure || es.groupReady || es.heals?.length || es.restartTimes?.length) return undefined;
  if (gatesOf(i).some(isHealthGate)) return undefined;
  return { target: input.target, expect: result.steadyDigest, generation };
}

/** The pool's input for a short check, from the config copy; undefined when the config no longer knows the instance. */
export function steadyTickInput(e: { id: string; applicationId: string; serviceId: string; channelId: string; steady?: SteadyCheck }, config: ConfigCache, common: Pick<TickInput, 'timeouts' | 'dataDir'>): TickInput | undefined {
  const steady = e.steady;
  if (!steady || steady.generation !== config.generation) return undefined;
  const channel = config.channels.get(e.channelId);
  const service = config.services.get(e.serviceId);
  const application = config.applications.get(e.applicationId);
  if (!channel || !service || !application || channel.paused || application.paused) return undefined;
  return {
    ...tickInputBase(e.id, application.name, channel, service.name, common),
    target: steady.target,
    // Never applies: anything but "as expected" goes to a full tick, which decides and applies.
    mode: 'observe',
    expect: steady.expect,
  };
}

/** What every tick input of an instance carries: who it is, which runtime drives it, the limits (full and short ticks alike). */
export function tickInputBase(id: string, application: string, channel: ChannelInfo, service: string, common: Pick<TickInput, 'timeouts' | 'dataDir'>): Omit<TickInput, 'mode'> {
  return {
    instanceId: id,
    identity: { instanceId: id, application, channel: channel.name, service, runtime: channel.runtime.name },
    plugin: channel.runtime.plugin,
    runtimeConfig: channel.runtime.config,
    timeouts: common.timeouts,
    ...(common.dataDir ? { dataDir: common.dataDir } : {}),
  };
}
