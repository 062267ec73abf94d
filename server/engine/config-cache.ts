import type { EntityManager } from '@mikro-orm/core';
import { parseDuration } from '../compiler/index.js';
import type { CompiledGate } from '../compiler/types.js';
import { ApplicationRow, ReleaseChannelRow, ReleaseRow, RuntimeRow, ServiceRow } from '../store/entities/index.js';

export interface ChannelInfo {
  id: string;
  name: string;
  applicationId: string;
  dependsOn: string[];
  gates: CompiledGate[];
  paused: boolean;
  runtime: { name: string; plugin: string; config: Record<string, unknown> };
}

export interface ServiceInfo {
  id: string;
  name: string;
  applicationId: string;
  progressDeadlineMs: number;
}

export interface ApplicationInfo {
  id: string;
  name: string;
  paused: boolean;
}

/**
 * The config the engine decides with, held in memory: it changes rarely (applyConfig, pause) and
 * is read for every tick. Reloaded when the API says intent changed, and at least every few seconds
 * so a replica also sees changes made through another replica.
 */
export class ConfigCache {
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  channels = new Map<string, ChannelInfo>();
  services = new Map<string, ServiceInfo>();
  applications = new Map<string, ApplicationInfo>();
  private releaseLabels = new Map<string, string>();

  constructor(
    private readonly em: () => EntityManager,
    private readonly maxAgeMs = 5_000,
  ) {}

  invalidate(): void {
    this.loadedAt = 0;
  }

  async fresh(now = Date.now()): Promise<this> {
    if (now - this.loadedAt < this.maxAgeMs) return this;
    this.loading ??= this.reload().finally(() => (this.loading = undefined));
    await this.loading;
    return this;
  }

  private async reload(): Promise<void> {
    const startedAt = Date.now();
    const em = this.em();
    const [apps, channels, services, runtimes] = await Promise.all([em.find(ApplicationRow, {}), em.find(ReleaseChannelRow, {}), em.find(ServiceRow, {}), em.find(RuntimeRow, {})]);
    const runtimeById = new Map(runtimes.map((r) => [r.id, r]));
    this.applications = new Map(apps.map((a) => [a.id, { id: a.id, name: a.name, paused: a.paused }]));
    this.channels = new Map(
      channels.map((c) => {
        const runtime = runtimeById.get(c.runtimeId);
        return [c.id, { id: c.id, name: c.name, applicationId: c.applicationId, dependsOn: c.document.dependsOn, gates: c.gates, paused: c.paused, runtime: { name: runtime?.name ?? '?', plugin: runtime?.plugin ?? '?', config: runtime?.config ?? {} } }];
      }),
    );
    this.services = new Map(services.map((s) => [s.id, { id: s.id, name: s.name, applicationId: s.applicationId, progressDeadlineMs: progressDeadlineMs(s.document.progressDeadline) }]));
    this.loadedAt = startedAt;
  }

  /** Human labels ("v2") of releases, loaded once each. */
  async labels(ids: Iterable<string>): Promise<Map<string, string>> {
    const missing = [...new Set(ids)].filter((id) => id && !this.releaseLabels.has(id));
    if (missing.length) {
      const rows = await this.em().find(ReleaseRow, { id: { $in: missing } });
      for (const r of rows) this.releaseLabels.set(r.id, r.label);
    }
    return this.releaseLabels;
  }
}

function progressDeadlineMs(text: string): number {
  return parseDuration(text) ?? 10 * 60_000;
}
