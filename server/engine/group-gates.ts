/**
 * Multi-service releases in one channel (pure). The members of a group move through a channel
 * together: the group starts there only when every member's gates are open there, members converge
 * in service order (a member waits for the members it depends on to converge here first), and when
 * one member fails here the whole group is failed here: every member is rolled back and marked bad.
 */
import type { GroupView, InstanceContext, Reason } from './draft.js';
import { labelOf } from './draft.js';

/** Another member of the group failed here (it is marked bad here): which one. */
export function failedMember(group: GroupView, releaseId: string): GroupView['members'][number] | undefined {
  return group.members.find((m) => m.releaseId !== releaseId && m.instance?.engineState.badReleaseIds?.includes(m.releaseId));
}

export function groupFailedReason(ctx: InstanceContext, group: GroupView, failed: GroupView['members'][number]): Reason {
  return { code: 'GROUP_FAILED', message: `${failed.service} ${labelOf(ctx, failed.releaseId)} failed in ${ctx.channel.name}, so the whole release ${group.label} is rolled back here and marked bad` };
}

/**
 * What holds a member whose own gates are open: the service order (members it depends on must
 * have converged here first), and, before the group has started here, the other members' gates.
 */
export function groupHold(ctx: InstanceContext, group: GroupView, releaseId: string): Reason | undefined {
  const me = group.members.find((m) => m.releaseId === releaseId);
  if (!me) return undefined;
  const names = new Set(group.members.map((m) => m.service));
  for (const dep of me.dependsOn.filter((d) => names.has(d))) {
    const m = group.members.find((x) => x.service === dep)!;
    if (m.instance?.convergedReleaseId !== m.releaseId) {
      return { code: 'GROUP_WAITING', message: `${labelOf(ctx, releaseId)} waits for ${dep} ${labelOf(ctx, m.releaseId)} to converge in ${ctx.channel.name} first (service order of ${group.label})` };
    }
  }
  const started = (m: GroupView['members'][number]) => m.instance?.targetReleaseId === m.releaseId || m.instance?.convergedReleaseId === m.releaseId;
  if (group.members.some(started)) return undefined;
  const notReady = group.members.filter((m) => m.releaseId !== releaseId && m.instance?.engineState.groupReady !== m.releaseId);
  if (notReady.length === 0) return undefined;
  const why = notReady.map((m) => `${m.service} ${labelOf(ctx, m.releaseId)}${m.instance?.reasons[0] ? ` (${m.instance.reasons[0].message})` : ''}`).join('; ');
  return { code: 'GROUP_WAITING', message: `${labelOf(ctx, releaseId)} waits for the rest of ${group.label} to be cleared for ${ctx.channel.name}: ${why}` };
}
