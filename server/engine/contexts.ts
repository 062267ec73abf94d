import type { EntityManager } from '@mikro-orm/core';
import type { CompiledGate } from '../compiler/types.js';
import { ApprovalRow, GateBypassRow } from '../store/entities/index.js';
import type { ConfigCache } from './config-cache.js';
import type { EngineSettings, InstanceContext } from './draft.js';
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
  const [approvals, bypasses] = await Promise.all([
    loadApprovals(em, gated.filter((r) => r.desiredState?.gates.some((g) => g.type === 'manualApproval'))),
    // Also while rolling out: a bypassed health gate does not stop the rollout it was bypassed for.
    loadBypasses(em, rows.filter((r) => r.desiredReleaseId && (r.desiredReleaseId !== r.targetReleaseId || r.targetReleaseId !== r.convergedReleaseId))),
  ]);
  const releaseIds = rows
    .flatMap((r) => [r.desiredReleaseId, r.targetReleaseId, r.convergedReleaseId, r.engineState.failure?.releaseId, ...(r.engineState.history ?? []).map((h) => h.releaseId)])
    .concat(siblings.flatMap((s) => [s.convergedReleaseId, s.targetReleaseId]));
  const labels = await config.labels(releaseIds.filter((x): x is string => !!x));

  const contexts: InstanceContext[] = [];
  for (const instance of rows) {
    const channel = config.channels.get(instance.channelId);
    const service = config.services.get(instance.serviceId);
    const app = config.applications.get(instance.applicationId);
    if (!channel || !service || !app) continue;
    const dependsOn = instance.desiredState?.dependsOn ?? channel.dependsOn;
    const upstream: UpstreamState[] = dependsOn.map((name) => {
      const upChannel = [...config.channels.values()].find((c) => c.applicationId === channel.applicationId && c.name === name);
      const up = (byService.get(instance.serviceId) ?? []).find((s) => s.channelId === upChannel?.id);
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
      return state;
    });
    contexts.push({
      now,
      instance,
      channel,
      service,
      applicationName: app.name,
      applicationPaused: app.paused,
      upstream,
      approvals: approvals.get(`${instance.desiredReleaseId}/${instance.channelId}`) ?? { approvers: [] },
      bypassed: bypasses.get(`${instance.desiredReleaseId}/${instance.channelId}`) ?? [],
      health: health.snapshot(gatesOf(instance)),
      labels,
      settings,
    });
  }
  return contexts;
}

/** The gates compiled into what the instance runs and what it is asked to run. */
export function gatesOf(instance: InstanceSnapshot): CompiledGate[] {
  const target = instance.targetState?.gates ?? [];
  const desired = instance.desiredReleaseId !== instance.targetReleaseId ? (instance.desiredState?.gates ?? []) : [];
  return desired.length ? [...target, ...desired] : target;
}

/**
 * Distinct approvers (and a rejection, if any) per desired release and channel. An approval counts
 * only for the compiled state it was given for (the release's in that channel): the plan the
 * approver saw.
 */
async function loadApprovals(em: () => EntityManager, rows: InstanceSnapshot[]): Promise<Map<string, Approvals>> {
  const out = new Map<string, Approvals>();
  if (rows.length === 0) return out;
  const digestOf = new Map(rows.map((r) => [`${r.desiredReleaseId}/${r.channelId}`, r.desiredState?.digest]));
  const found = await em().find(ApprovalRow, { releaseId: { $in: [...new Set(rows.map((r) => r.desiredReleaseId!))] }, channelId: { $in: [...new Set(rows.map((r) => r.channelId))] } });
  for (const a of found) {
    const key = `${a.releaseId}/${a.channelId}`;
    if (a.stateDigest && digestOf.get(key) !== a.stateDigest) continue;
    const entry = out.get(key) ?? { approvers: [] };
    if (a.decision === 'APPROVE' && !entry.approvers.includes(a.actor)) entry.approvers.push(a.actor);
    if (a.decision === 'REJECT') entry.rejectedBy = { actor: a.actor, comment: a.comment ?? undefined };
    out.set(key, entry);
  }
  return out;
}

/** Gate types an admin bypassed, per desired release and channel. */
async function loadBypasses(em: () => EntityManager, rows: InstanceSnapshot[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (rows.length === 0) return out;
  const found = await em().find(GateBypassRow, { releaseId: { $in: [...new Set(rows.map((r) => r.desiredReleaseId!))] }, channelId: { $in: [...new Set(rows.map((r) => r.channelId))] } });
  for (const b of found) {
    const key = `${b.releaseId}/${b.channelId}`;
    out.set(key, [...(out.get(key) ?? []), b.gate]);
  }
  return out;
}
