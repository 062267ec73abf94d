import type { EntityManager } from '@mikro-orm/core';
import { ApprovalRow } from '../store/entities/index.js';
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

/**
 * Gathers, in a few queries for the whole batch, what each instance's decision needs: its channel
 * and service, the upstream channels' state, approvals, health results and release labels.
 * Instances whose channel, service or application is gone are left out.
 */
export async function gatherContexts({ rows, config, store, em, health, settings, now }: GatherInput): Promise<InstanceContext[]> {
  const gated = rows.filter((r) => r.desiredReleaseId && r.desiredReleaseId !== r.targetReleaseId);
  const siblings = await store.siblings([...new Set(gated.map((r) => r.serviceId))]);
  const byService = new Map<string, InstanceSnapshot[]>();
  for (const s of siblings) byService.set(s.serviceId, [...(byService.get(s.serviceId) ?? []), s]);
  const approvals = await loadApprovals(em, gated.filter((r) => config.channels.get(r.channelId)?.gates.some((g) => g.type === 'manualApproval')));
  const releaseIds = rows.flatMap((r) => [r.desiredReleaseId, r.targetReleaseId, r.convergedReleaseId, r.engineState.failure?.releaseId]).concat(siblings.map((s) => s.convergedReleaseId));
  const labels = await config.labels(releaseIds.filter((x): x is string => !!x));

  const contexts: InstanceContext[] = [];
  for (const instance of rows) {
    const channel = config.channels.get(instance.channelId);
    const service = config.services.get(instance.serviceId);
    const app = config.applications.get(instance.applicationId);
    if (!channel || !service || !app) continue;
    const upstream: UpstreamState[] = channel.dependsOn.map((name) => {
      const upChannel = [...config.channels.values()].find((c) => c.applicationId === channel.applicationId && c.name === name);
      const up = (byService.get(instance.serviceId) ?? []).find((s) => s.channelId === upChannel?.id);
      // Only an upstream that is healthy on its release counts as having converged on it.
      const healthy = up && (up.status === 'CONVERGED' || up.status === 'WAITING');
      return {
        channel: name,
        convergedReleaseId: healthy ? (up.convergedReleaseId ?? undefined) : undefined,
        convergedReleaseLabel: up?.convergedReleaseId ? labels.get(up.convergedReleaseId) : undefined,
        convergedAt: up?.convergedAt ?? undefined,
        verifiedAt: up?.engineState.verifiedAt,
        hasPostDeployCheck: !!upChannel?.gates.some((g) => g.type === 'httpCheck' && g.durationMs > 0),
        badReleaseIds: up?.engineState.badReleaseIds,
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
      approvals: approvals.get(`${instance.desiredReleaseId}/${instance.channelId}`) ?? { approvers: [] },
      health: health.snapshot(channel.gates),
      labels,
      settings,
    });
  }
  return contexts;
}

/** Distinct approvers (and a rejection, if any) per desired release and channel. */
async function loadApprovals(em: () => EntityManager, rows: InstanceSnapshot[]): Promise<Map<string, Approvals>> {
  const out = new Map<string, Approvals>();
  if (rows.length === 0) return out;
  const found = await em().find(ApprovalRow, { releaseId: { $in: [...new Set(rows.map((r) => r.desiredReleaseId!))] }, channelId: { $in: [...new Set(rows.map((r) => r.channelId))] } });
  for (const a of found) {
    const key = `${a.releaseId}/${a.channelId}`;
    const entry = out.get(key) ?? { approvers: [] };
    if (a.decision === 'APPROVE' && !entry.approvers.includes(a.actor)) entry.approvers.push(a.actor);
    if (a.decision === 'REJECT') entry.rejectedBy = { actor: a.actor, comment: a.comment ?? undefined };
    out.set(key, entry);
  }
  return out;
}
