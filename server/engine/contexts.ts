import type { EntityManager } from '@mikro-orm/core';
import type { CompiledGate } from '../compiler/types.js';
import { ApprovalRow, GateBypassRow } from '../store/entities/index.js';
import type { ConfigCache, ReleaseInfo } from './config-cache.js';
import type { DownstreamState, EngineSettings, GroupView, InstanceContext } from './draft.js';
import type { Approvals, HealthMonitor, UpstreamState } from './gates/index.js';
import type { InstanceStore } from './instance-store.js';
import type { InstanceSnapshot } from './types.js';

export interface GatherInput {
  rows: InstanceSnapshot[];
  config: ConfigCache;
  store: InstanceStore;
  em: () => EntityManager;
  health: HealthMonitor;
  settings: EngineSettings;
  now: number;
}

/** Statuses in which a channel counts as running its converged release (for channels downstream). */
const SETTLED = new Set(['CONVERGED', 'WAITING', 'DEGRADED']);

/**
 * Gathers, in a few queries for the whole batch, what each instance's decision needs: its channel
 * and service, the upstream channels' state, approvals and bypasses of the desired release, health
 * results for the gates compiled into its releases, and release labels. Instances whose channel,
 * service or application is gone are left out.
 */
export async function gatherContexts({ rows, config, store, em, health, settings, now }: GatherInput): Promise<InstanceContext[]> {
  const gated = rows.filter((r) => r.desiredReleaseId && r.desiredReleaseId !== r.targetReleaseId);
  const siblings = await store.siblings([...new Set(gated.map((r) => r.serviceId))]);
  const byService = new Map<string, InstanceSnapshot[]>();
  for (const s of siblings) byService.set(s.serviceId, [...(byService.get(s.serviceId) ?? []), s]);

  // The releases after what converged here, per service: a queue takes them in order; latest
  // records the ones it skips as superseded.
  const queued = gated;
  const firstKnown = [...new Set(queued.flatMap((r) => [r.convergedReleaseId, r.targetReleaseId]).filter((x): x is string => !!x))];
  const known = await config.releases(firstKnown);
  const after = new Map<string, number>();
  for (const r of queued) {
    const from = Math.max(known.get(r.convergedReleaseId ?? '')?.number ?? 0, 0);
    after.set(r.serviceId, Math.min(after.get(r.serviceId) ?? Infinity, from));
  }
  const queues = await config.releasesAfter(after);

  // Every release a decision may name: desired, next, queued, pinned, rollback targets, history.
  const releaseIds = rows
    .flatMap((r) => [r.desiredReleaseId, r.targetReleaseId, r.convergedReleaseId, r.engineState.failure?.releaseId, r.engineState.candidate?.releaseId, r.pin?.releaseId, r.rollbackRequestedTo, ...(r.engineState.history ?? []).map((h) => h.releaseId)])
    .concat(siblings.flatMap((s) => [s.convergedReleaseId, s.targetReleaseId, s.pin?.releaseId]));
  const releases = await config.releases([...releaseIds.filter((x): x is string => !!x), ...[...queues.values()].flat().map((r) => r.id)]);
  const groups = await gatherGroups(rows, releases, config, store);
  const labels = await config.labels([...groups.members.values()].map((m) => m.releaseId));
  const candidatesOf = (r: InstanceSnapshot): string[] => {
    const ids = [r.desiredReleaseId, r.engineState.candidate?.releaseId].filter((x): x is string => !!x);
    if (config.channels.get(r.channelId)?.releasePolicy === 'queue') ids.push(...(queues.get(r.serviceId) ?? []).map((q) => q.id));
    return ids;
  };
  const withApproval = gated.filter((r) => candidatesOf(r).some((id) => releases.get(id)?.states[config.channels.get(r.channelId)?.name ?? '']?.gates.some((g) => g.type === 'manualApproval')));
  // Bypasses also while rolling out: a bypassed health gate does not stop the rollout it was bypassed for.
  const mayBypass = rows.filter((r) => r.desiredReleaseId && (r.desiredReleaseId !== r.targetReleaseId || r.targetReleaseId !== r.convergedReleaseId));
  const [approvals, bypasses] = await Promise.all([loadApprovals(em, withApproval, candidatesOf, releases, config), loadBypasses(em, mayBypass, candidatesOf)]);

  const contexts: InstanceContext[] = [];
  for (const instance of rows) {
    const channel = config.channels.get(instance.channelId);
    const service = config.services.get(instance.serviceId);
    const app = config.applications.get(instance.applicationId);
    if (!channel || !service || !app) continue;
    const family = byService.get(instance.serviceId) ?? [];
    const dependsOn = instance.desiredState?.dependsOn ?? channel.dependsOn;
    const upstream: UpstreamState[] = dependsOn.map((name) => {
      const upChannel = config.channelNamed(channel.applicationId, name);
      const up = family.find((s) => s.channelId === upChannel?.id);
      // Only an upstream that is settled on its release counts as having converged on it.
      const settled = up && SETTLED.has(up.status);
      const state: UpstreamState = {
        channel: name,
        convergedReleaseId: settled ? (up.convergedReleaseId ?? undefined) : undefined,
        convergedReleaseLabel: up?.convergedReleaseId ? labels.get(up.convergedReleaseId) : undefined,
        runningReleaseLabel: up?.convergedReleaseId ? labels.get(up.convergedReleaseId) : undefined,
        rollingOutReleaseLabel: up?.targetReleaseId && up.targetReleaseId !== up.convergedReleaseId ? labels.get(up.targetReleaseId) : undefined,
        convergedAt: up?.convergedAt ?? undefined,
        verifiedAt: up?.engineState.verifiedAt,
        hasPostDeployCheck: !!up?.targetState?.gates.some((g) => g.type === 'httpCheck' && g.durationMs > 0),
        badReleaseIds: up?.engineState.badReleaseIds,
      };
      if (up?.engineState.hold) state.hold = up.engineState.hold;
      if (up?.engineState.superseded?.length) state.supersededReleaseIds = up.engineState.superseded.map((x) => x.releaseId);
      if (up?.pin) state.pinnedAt = { label: labels.get(up.pin.releaseId) ?? 'an earlier release', by: up.pin.by, reason: up.pin.reason };
      return state;
    });
    const downstream: DownstreamState[] = family
      .filter((s) => config.channels.get(s.channelId)?.dependsOn.includes(channel.name))
      .map((s) => {
        const c = config.channels.get(s.channelId)!;
        return {
          channel: c.name,
          policy: c.releasePolicy,
          idle: s.paused || c.paused || !!s.pin,
          desiredReleaseId: s.desiredReleaseId,
          ...(s.engineState.candidate ? { candidateId: s.engineState.candidate.releaseId } : {}),
          convergedReleaseId: s.convergedReleaseId,
          targetReleaseId: s.targetReleaseId,
          never: [...(s.engineState.badReleaseIds ?? []), ...(s.engineState.superseded ?? []).map((x) => x.releaseId)],
        };
      });
    contexts.push({
      now,
      instance,
      channel,
      service,
      applicationName: app.name,
      applicationPaused: app.paused,
      upstream,
      approvals: approvals.get(instance.id) ?? new Map(),
      bypassed: bypasses.get(instance.id) ?? new Map(),
      releases,
      queue: queues.get(instance.serviceId) ?? [],
      downstream,
      groups: groups.inChannel(instance.channelId),
      health: health.snapshot(gatesOf(instance)),
      labels,
      settings,
    });
  }
  return contexts;
}

/**
 * The multi-service releases the batch's instances may be working on (next, target, desired), with
 * every member's instance, so each member sees the others in its channel.
 */
async function gatherGroups(rows: InstanceSnapshot[], releases: ReadonlyMap<string, ReleaseInfo>, config: ConfigCache, store: InstanceStore) {
  const groupIds = new Set<string>();
  for (const r of rows) {
    for (const id of [r.desiredReleaseId, r.targetReleaseId, r.engineState.candidate?.releaseId]) {
      const g = id ? releases.get(id)?.groupId : null;
      if (g) groupIds.add(g);
    }
  }
  const members = new Map<string, { releaseId: string }>();
  if (groupIds.size === 0) return { members, inChannel: () => new Map<string, GroupView>() };
  const infos = await config.groups(groupIds);
  const wanted = [...groupIds].map((id) => infos.get(id)).filter((g): g is NonNullable<typeof g> => !!g);
  for (const g of wanted) for (const m of g.members) members.set(m.releaseId, m);
  const instances = await store.siblings([...new Set(wanted.flatMap((g) => g.members.map((m) => m.serviceId)))]);
  const cache = new Map<string, Map<string, GroupView>>();
  const inChannel = (channelId: string): Map<string, GroupView> => {
    let views = cache.get(channelId);
    if (!views) {
      views = new Map(
        wanted.map((g) => [
          g.id,
          {
            id: g.id,
            label: g.label,
            members: g.members.map((m) => {
              const instance = instances.find((i) => i.serviceId === m.serviceId && i.channelId === channelId);
              return { service: m.service, serviceId: m.serviceId, releaseId: m.releaseId, dependsOn: config.services.get(m.serviceId)?.dependsOn ?? [], ...(instance ? { instance } : {}) };
            }),
          },
        ]),
      );
      cache.set(channelId, views);
    }
    return views;
  };
  return { members, inChannel };
}

/** The gates compiled into what the instance runs and what it is asked to run. */
export function gatesOf(instance: InstanceSnapshot): CompiledGate[] {
  // A progressive rollout's analysis is health gates too: polled while the release is the target.
  const analysis = (instance.targetState?.rollout?.steps ?? []).flatMap((s) => (s.kind === 'replicas' ? s.analysis : []));
  const target = [...(instance.targetState?.gates ?? []), ...analysis];
  const desired = instance.desiredReleaseId !== instance.targetReleaseId ? (instance.desiredState?.gates ?? []) : [];
  return desired.length ? [...target, ...desired] : target;
}

/**
 * Per instance, distinct approvers (and a rejection, if any) per release it may take next. An
 * approval counts only for the compiled state it was given for (the release's in that channel):
 * the plan the approver saw.
 */
async function loadApprovals(
  em: () => EntityManager,
  rows: InstanceSnapshot[],
  candidatesOf: (r: InstanceSnapshot) => string[],
  releases: ReadonlyMap<string, ReleaseInfo>,
  config: ConfigCache,
): Promise<Map<string, Map<string, Approvals>>> {
  const out = new Map<string, Map<string, Approvals>>();
  if (rows.length === 0) return out;
  const ids = [...new Set(rows.flatMap(candidatesOf))];
  const found = await em().find(ApprovalRow, { releaseId: { $in: ids }, channelId: { $in: [...new Set(rows.map((r) => r.channelId))] } });
  for (const r of rows) {
    const mine = new Map<string, Approvals>();
    const channel = config.channels.get(r.channelId)?.name ?? '';
    for (const a of found.filter((x) => x.channelId === r.channelId)) {
      const digest = releases.get(a.releaseId)?.states[channel]?.digest;
      if (a.stateDigest && digest && digest !== a.stateDigest) continue;
      const entry = mine.get(a.releaseId) ?? { approvers: [] };
      if (a.decision === 'APPROVE' && !entry.approvers.includes(a.actor)) entry.approvers.push(a.actor);
      if (a.decision === 'REJECT') entry.rejectedBy = { actor: a.actor, comment: a.comment ?? undefined };
      mine.set(a.releaseId, entry);
    }
    out.set(r.id, mine);
  }
  return out;
}

/** Per instance, gate types an admin bypassed, per release it may take next. */
async function loadBypasses(em: () => EntityManager, rows: InstanceSnapshot[], candidatesOf: (r: InstanceSnapshot) => string[]): Promise<Map<string, Map<string, string[]>>> {
  const out = new Map<string, Map<string, string[]>>();
  if (rows.length === 0) return out;
  const ids = [...new Set(rows.flatMap((r) => [...candidatesOf(r), r.targetReleaseId].filter((x): x is string => !!x)))];
  const found = await em().find(GateBypassRow, { releaseId: { $in: ids }, channelId: { $in: [...new Set(rows.map((r) => r.channelId))] } });
  for (const r of rows) {
    const mine = new Map<string, string[]>();
    for (const b of found.filter((x) => x.channelId === r.channelId)) mine.set(b.releaseId, [...(mine.get(b.releaseId) ?? []), b.gate]);
    out.set(r.id, mine);
  }
  return out;
}
