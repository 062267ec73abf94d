/**
 * Which release a channel takes next (pure): its release policy, soak protection and what was
 * superseded. The instance's desired release is the newest one asked for; the next one is what
 * this channel works towards now.
 *
 * - `latest` (the default): the newest release, except that one soaking upstream for this channel
 *   (a protected soak) is not displaced by a newer one until this channel took it or it failed.
 *   A release replaced before it ran here is recorded as superseded here: an event and the
 *   release's status in this channel, never a silent skip.
 * - `queue`: every release in order, oldest first; none is skipped. One that can never come here
 *   (superseded or marked bad in the channel it must come from) is recorded as superseded here,
 *   with that reason.
 */
import type { CompiledChannelState, CompiledGate } from '../compiler/types.js';
import type { Draft, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';

export interface Next {
  id: string;
  state: CompiledChannelState;
  /** Why newer releases wait behind this one (shown after the gates' reasons). */
  waiting?: Reason[];
}

const SUPERSEDED_LIMIT = 20;

export function nextRelease(draft: Draft, ctx: InstanceContext): Next | undefined {
  const i = ctx.instance;
  const es = draft.es;
  const bad = new Set(es.badReleaseIds ?? []);
  const done = new Set((es.superseded ?? []).map((s) => s.releaseId));
  const stateOf = (id: string): CompiledChannelState | undefined => (id === i.desiredReleaseId && i.desiredState ? i.desiredState : ctx.releases.get(id)?.states[ctx.channel.name]);
  const previous = es.candidate?.releaseId;
  let id: string | undefined;
  let waiting: Reason[] | undefined;

  if (ctx.channel.releasePolicy === 'queue') {
    const past = ctx.releases.get(draft.convergedReleaseId ?? '')?.number ?? 0;
    for (const r of ctx.queue) {
      if (r.number <= past || bad.has(r.id) || done.has(r.id) || !r.states[ctx.channel.name]) continue;
      const from = ctx.upstream.find((u) => u.supersededReleaseIds?.includes(r.id) || u.badReleaseIds?.includes(r.id));
      if (from) {
        const how = from.badReleaseIds?.includes(r.id) ? 'it was marked bad there' : 'a newer release replaced it there before it converged';
        supersede(draft, ctx, r.id, undefined, `it can never come from ${from.channel}: ${how}`);
        continue;
      }
      id = r.id;
      break;
    }
    const behind = ctx.queue.filter((r) => id && r.number > (ctx.releases.get(id)?.number ?? 0) && !bad.has(r.id));
    if (id && behind.length) waiting = [{ code: 'QUEUED', message: `${describeMany(ctx, behind.map((r) => r.id))} wait${behind.length === 1 ? 's' : ''} behind ${labelOf(ctx, id)}: releases go through ${ctx.channel.name} in order` }];
  } else {
    const newest = i.desiredReleaseId && !bad.has(i.desiredReleaseId) ? i.desiredReleaseId : undefined;
    const keep = previous && previous !== newest && previous !== draft.convergedReleaseId && previous !== draft.targetReleaseId && !bad.has(previous) && keptUpstream(ctx, previous, stateOf(previous));
    if (keep && newest) {
      id = previous;
      waiting = [{ code: 'SOAK_PROTECTED', message: `${labelOf(ctx, newest)} waits: ${labelOf(ctx, previous)} is soaking for ${ctx.channel.name} and is not displaced until it goes through (soak protection)` }];
    } else id = newest;
    // Older releases it jumps over never run here: say so, once each.
    const chosen = id ? (ctx.releases.get(id)?.number ?? Infinity) : -Infinity;
    const past = ctx.releases.get(draft.convergedReleaseId ?? '')?.number ?? 0;
    for (const r of ctx.queue) {
      if (r.number > past && r.number < chosen && r.id !== draft.targetReleaseId && r.id !== previous && !bad.has(r.id) && !done.has(r.id) && r.states[ctx.channel.name]) supersede(draft, ctx, r.id, id, 'a newer release came first');
    }
  }

  // Replaced before it ran here (and not the rollout under way: that one is superseded when the next one starts).
  if (previous && previous !== id && previous !== draft.convergedReleaseId && previous !== draft.targetReleaseId && !bad.has(previous) && !done.has(previous)) {
    supersede(draft, ctx, previous, id, 'it never ran here');
  }
  const state = id ? stateOf(id) : undefined;
  if (!id || !state) {
    es.candidate = undefined;
    return undefined;
  }
  es.candidate = { releaseId: id };
  return { id, state, ...(waiting ? { waiting } : {}) };
}

/** Records that `releaseId` will not come here (superseded by `by`, or for `why`): once, with an event. */
export function supersede(draft: Draft, ctx: InstanceContext, releaseId: string, by: string | undefined, why: string): void {
  const es = draft.es;
  if ((es.superseded ?? []).some((s) => s.releaseId === releaseId)) return;
  es.superseded = [...(es.superseded ?? []), { releaseId, by: by ?? '', at: ctx.now, why }].slice(-SUPERSEDED_LIMIT);
  const replaced = by ? `${labelOf(ctx, by)} superseded ${labelOf(ctx, releaseId)}` : `${labelOf(ctx, releaseId)} was skipped`;
  draft.events.push({ type: 'RELEASE_SUPERSEDED', message: `${replaced} in ${ctx.channel.name}: ${why}`, data: { releaseId, ...(by ? { by } : {}) } });
}

/** The release soaks for this channel with protection (a soak gate, protect not false) behind upstream channels. */
export function protectsSoak(state: CompiledChannelState | undefined, upstream?: string): boolean {
  if (!state || state.dependsOn.length === 0 || (upstream && !state.dependsOn.includes(upstream))) return false;
  return state.gates.some((g: CompiledGate) => g.type === 'soak' && g.protect !== false);
}

/**
 * Kept for this channel: it soaks here with protection and every upstream still runs it (they keep
 * it for us until we take it), so a newer release does not displace it.
 */
function keptUpstream(ctx: InstanceContext, releaseId: string, state: CompiledChannelState | undefined): boolean {
  if (!state || !protectsSoak(state)) return false;
  return state.dependsOn.every((name) => ctx.upstream.find((u) => u.channel === name)?.convergedReleaseId === releaseId);
}

function describeMany(ctx: InstanceContext, ids: string[]): string {
  const labels = ids.map((id) => labelOf(ctx, id));
  return labels.length <= 3 ? labels.join(', ') : `${labels.slice(0, 2).join(', ')} and ${labels.length - 2} more`;
}
