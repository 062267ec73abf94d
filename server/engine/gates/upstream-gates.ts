/**
 * Gates about upstream channels: `dependsOn` (every upstream converged on the release, and
 * verified when it has a post-deploy check) and `soak` (converged for long enough).
 */
import { formatDuration, formatUtc } from './format.js';
import { DEPENDS_ON_KEY } from './keys.js';
import type { GateInput, UpstreamState } from './types.js';
import type { VerdictBuilder } from './verdict-builder.js';

function upstreamsOf(input: GateInput): { channel: string; state: UpstreamState | undefined }[] {
  const byChannel = new Map(input.upstream.map((u) => [u.channel, u]));
  return [...new Set(input.dependsOn)].map((channel) => ({ channel, state: byChannel.get(channel) }));
}

function convergedOnRelease(input: GateInput, u: UpstreamState | undefined): u is UpstreamState {
  return u?.convergedReleaseId === input.releaseId;
}

/**
 * A release marked bad upstream must never be promoted: that is terminal, not a wait, and it is
 * checked even when dependsOn was satisfied before (an upstream may roll back mid-way through ours).
 */
export function checkBadUpstream(input: GateInput, out: VerdictBuilder): void {
  for (const { channel, state } of upstreamsOf(input)) {
    if (state?.badReleaseIds?.includes(input.releaseId)) {
      out.fail(DEPENDS_ON_KEY, {
        code: 'RELEASE_MARKED_BAD',
        message: `${input.releaseLabel} was marked bad in ${channel}; it will not be promoted to ${input.channel}`,
      });
    }
  }
}

/**
 * An upstream that runs the release but is unhealthy on it (a check failing, a crash loop) holds
 * promotion until it is healthy again. Checked even when dependsOn was satisfied before (health
 * is a fact about now); an admin's bypass of dependsOn lets the release through.
 */
export function checkUpstreamHealth(input: GateInput, out: VerdictBuilder): void {
  if (input.bypassed?.includes(DEPENDS_ON_KEY)) return;
  for (const { channel, state } of upstreamsOf(input)) {
    if (!state?.hold || state.convergedReleaseId !== input.releaseId) continue;
    // Its own key: a hold must not undo a dependsOn already satisfied (nor be remembered as passed).
    out.wait('upstreamHealth', {
      code: 'UPSTREAM_UNHEALTHY',
      message: `waiting for ${channel} to be healthy on ${input.releaseLabel} again (${state.hold.message}, since ${formatUtc(state.hold.since, input.now)})`,
    });
  }
}

/** Returns the channels it reported, so soak does not repeat "not converged" for them. */
export function checkDependsOn(input: GateInput, out: VerdictBuilder): Set<string> {
  const reported = new Set<string>();
  if (!input.dependsOn.length) return reported;
  out.pass(DEPENDS_ON_KEY);
  if (input.alreadySatisfied?.includes(DEPENDS_ON_KEY) || input.bypassed?.includes(DEPENDS_ON_KEY)) return reported;
  const label = input.releaseLabel;
  for (const { channel, state } of upstreamsOf(input)) {
    if (!convergedOnRelease(input, state)) {
      reported.add(channel);
      out.wait(DEPENDS_ON_KEY, {
        code: 'DEPENDENCY_NOT_CONVERGED',
        message: `waiting for ${channel} to converge on ${label} (${describeUpstream(channel, state)})`,
      });
    } else if (state.hasPostDeployCheck && state.verifiedAt === undefined) {
      reported.add(channel);
      out.wait(DEPENDS_ON_KEY, {
        code: 'VERIFYING',
        message: `waiting for ${channel} to finish verifying ${label} (post-deploy checks running)`,
      });
    }
  }
  return reported;
}

function describeUpstream(channel: string, u: UpstreamState | undefined): string {
  if (!u) return `no state known for ${channel}`;
  const running = u.runningReleaseLabel ?? (u.convergedReleaseId !== undefined ? u.convergedReleaseLabel : undefined);
  const rolling = u.rollingOutReleaseLabel && u.rollingOutReleaseLabel !== running ? u.rollingOutReleaseLabel : undefined;
  if (!running) return rolling ? `${channel} is rolling out ${rolling}, nothing converged there yet` : `nothing has converged in ${channel} yet`;
  return `${channel} runs ${running}${rolling ? ` and is rolling out ${rolling}` : ''}`;
}

/** Soak without dependsOn has nothing to soak in: it is a no-op and counts as satisfied. */
export function checkSoak(input: GateInput, durationMs: number, alreadyReported: Set<string>, out: VerdictBuilder): void {
  out.pass('soak');
  if (!input.dependsOn.length || input.alreadySatisfied?.includes('soak')) return;
  const { now, releaseLabel: label } = input;
  for (const { channel, state } of upstreamsOf(input)) {
    if (!convergedOnRelease(input, state) || state.convergedAt === undefined) {
      // The dependsOn reason already says this channel has not converged; say it once.
      if (alreadyReported.has(channel)) out.block('soak');
      else {
        const message = `soak of ${formatDuration(durationMs)} starts when ${channel} converges on ${label}`;
        out.wait('soak', { code: 'SOAKING', message });
      }
      continue;
    }
    const endsAt = state.convergedAt + durationMs;
    if (now >= endsAt) continue;
    out.wait('soak', {
      code: 'SOAKING',
      message: `soaking: ${channel} has run ${label} for ${formatDuration(now - state.convergedAt)} of ${formatDuration(durationMs)} (opens at ${formatUtc(endsAt, now)})`,
    });
    out.recheckAt(endsAt);
  }
}
