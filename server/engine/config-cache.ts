import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { parseDuration } from '../compiler/index.js';
import type { CompiledChannelState, CompiledGate, ReleasePolicy } from '../compiler/types.js';
import { ApplicationRow, ReleaseChannelRow, ReleaseGroupRow, ReleaseRow, RuntimeRow, ServiceRow, type GroupMember } from '../store/entities/index.js';

export interface ChannelInfo {
  id: string;
  name: string;
  applicationId: string;
  dependsOn: string[];
  gates: CompiledGate[];
  paused: boolean;
  /** How releases queue here (not part of a release: it is about the channel). */
  releasePolicy: ReleasePolicy;
  /** Rollouts at once in this channel; undefined: no limit. */
  maxParallel?: number;
  runtime: { name: string; plugin: string; config: Record<string, unknown>; maxConcurrentRollouts?: number };
}

/** What the engine needs of a release: immutable, so cached for good once loaded. */
export interface ReleaseInfo {
  id: string;
  serviceId: string;
  number: number;
  label: string;
  states: Record<string, CompiledChannelState>;
  groupId: string | null;
}

export interface ServiceInfo {
  id: string;
  name: string;
  applicationId: string;
  progressDeadlineMs: number;
  /** Services of the application that converge first when released together (service order). */
  dependsOn: string[];
}

/** A multi-service release: its members in service order (immutable, cached once loaded). */
export interface GroupInfo {
  id: string;
  label: string;
  members: GroupMember[];
}

export interface ApplicationInfo {
  id: string;
  name: string;
  paused: boolean;
}

/**
 * The config the engine decides with, held in memory: it changes rarely (applyConfig, pause) and
 * is read for every tick. Reloaded when intent changed here or on another replica, and at least every `maxAgeMs`
 * so a replica also sees changes made through another replica.
 */
export class ConfigCache {
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  channels = new Map<string, ChannelInfo>();
  services = new Map<string, ServiceInfo>();
  applications = new Map<string, ApplicationInfo>();
  private releaseLabels = new Map<string, string>();
  private releaseInfo = new Map<string, ReleaseInfo>();
  private groupInfo = new Map<string, GroupInfo>();
  /**
   * Changes whenever what the engine decides with may have changed: an invalidation (intent changed
   * here or on another replica), or a reload that found a row at a new version. What the engine
   * keeps of a steady instance between ticks is valid for one generation only.
   */
  generation = 0;
  /** Counts invalidations: a reload that saw one while it read must not count as fresh. */
  private invalidations = 0;
  private rowVersions = '';
  /** Channels by `applicationId/name`, built on first use after a reload. */
  private channelsByName: Map<string, ChannelInfo> | undefined;

  constructor(
    private readonly em: () => EntityManager,
    private readonly maxAgeMs = 5_000,
    /** Opens the sealed secrets of a runtime config (references stay: the worker resolves them). */
    private readonly openConfig: (config: Record<string, unknown>) => Record<string, unknown> = (c) => c,
  ) {}

  /** The channel of this application with this name (upstream lookups: a map, not a scan of every channel). */
  channelNamed(applicationId: string, name: string): ChannelInfo | undefined {
    if (!this.channelsByName) {
      this.channelsByName = new Map();
      for (const c of this.channels.values()) this.channelsByName.set(`${c.applicationId}/${c.name}`, c);
    }
    return this.channelsByName.get(`${applicationId}/${name}`);
  }

  invalidate(): void {
    this.loadedAt = 0;
    this.generation++;
    this.invalidations++;
  }

  async fresh(now = Date.now()): Promise<this> {
    if (now - this.loadedAt < this.maxAgeMs) return this;
    await this.reloadOnce();
    // Invalidated while that reload read: it may hold the intent from before the change (a pause
    // it missed would let a tick apply). Read once more; what changes after that is the next
    // invalidation's business.
    if (this.loadedAt === 0) await this.reloadOnce();
    return this;
  }

  private reloadOnce(): Promise<void> {
    this.loading ??= this.reload().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async reload(): Promise<void> {
    const startedAt = Date.now();
    const invalidations = this.invalidations;
    const em = this.em();
    const [apps, channels, services, runtimes] = await Promise.all([em.find(ApplicationRow, {}), em.find(ReleaseChannelRow, {}), em.find(ServiceRow, {}), em.find(RuntimeRow, {})]);
    const runtimeById = new Map(runtimes.map((r) => [r.id, r]));
    this.applications = new Map(apps.map((a) => [a.id, { id: a.id, name: a.name, paused: a.paused }]));
    this.channels = new Map(
      channels.map((c) => {
        const runtime = runtimeById.get(c.runtimeId);
        const info: ChannelInfo = {
          id: c.id,
          name: c.name,
          applicationId: c.applicationId,
          dependsOn: c.document.dependsOn,
          gates: c.gates,
          paused: c.paused,
          releasePolicy: c.document.releasePolicy ?? 'latest',
          ...(c.document.maxParallel ? { maxParallel: c.document.maxParallel } : {}),
          runtime: { name: runtime?.name ?? '?', plugin: runtime?.plugin ?? '?', config: this.openConfig(runtime?.config ?? {}), ...(runtime?.maxConcurrentRollouts ? { maxConcurrentRollouts: runtime.maxConcurrentRollouts } : {}) },
        };
        return [c.id, info];
      }),
    );
    this.channelsByName = undefined;
    this.services = new Map(services.map((s) => [s.id, { id: s.id, name: s.name, applicationId: s.applicationId, progressDeadlineMs: progressDeadlineMs(s.document.progressDeadline), dependsOn: s.document.dependsOn ?? [] }]));
    const versions = rowVersions([apps, channels, services, runtimes]);
    if (versions !== this.rowVersions) [this.rowVersions, this.generation] = [versions, this.generation + 1];
    this.loadedAt = invalidations === this.invalidations ? startedAt : 0;
  }

  /** Human labels ("v2") of releases, loaded once each. */
  async labels(ids: Iterable<string>): Promise<Map<string, string>> {
    await this.releases(ids);
    return this.releaseLabels;
  }

  /** Releases by id, loaded once each (they never change). */
  async releases(ids: Iterable<string>): Promise<Map<string, ReleaseInfo>> {
    const missing = [...new Set(ids)].filter((id) => id && !this.releaseInfo.has(id));
    if (missing.length) this.remember(await this.em().find(ReleaseRow, { id: { $in: missing } }));
    return this.releaseInfo;
  }

  /**
   * Releases of these services numbered above `after` (per service), oldest first: what a channel
   * with `releasePolicy: queue` takes one by one. Bounded: a queue longer than this is a backlog a
   * person should look at, and its oldest releases come first anyway.
   */
  async releasesAfter(after: Map<string, number>): Promise<Map<string, ReleaseInfo[]>> {
    const out = new Map<string, ReleaseInfo[]>();
    if (after.size === 0) return out;
    const rows = await this.em().find(
      ReleaseRow,
      { $or: [...after].map(([serviceId, number]) => ({ serviceId, number: { $gt: number } })) },
      { orderBy: { number: 'asc' }, limit: 200 * after.size },
    );
    this.remember(rows);
    for (const r of rows) out.set(r.serviceId, [...(out.get(r.serviceId) ?? []), this.releaseInfo.get(r.id)!]);
    return out;
  }

  /** Multi-service releases by id, loaded once each. */
  async groups(ids: Iterable<string>): Promise<Map<string, GroupInfo>> {
    const missing = [...new Set(ids)].filter((id) => id && !this.groupInfo.has(id));
    if (missing.length) {
      for (const g of await this.em().find(ReleaseGroupRow, { id: { $in: missing } })) this.groupInfo.set(g.id, { id: g.id, label: g.label, members: g.members });
    }
    return this.groupInfo;
  }

  private remember(rows: ReleaseRow[]): void {
    for (const r of rows) {
      this.releaseLabels.set(r.id, r.label);
      this.releaseInfo.set(r.id, { id: r.id, serviceId: r.serviceId, number: r.number, label: r.label, states: r.states, groupId: r.groupId ?? null });
    }
  }
}

/** A digest of which rows at which versions a reload read (a changed, added or removed row changes it). */
function rowVersions(tables: { id: string; version: number }[][]): string {
  const hash = createHash('sha1');
  for (const rows of tables) {
    for (const r of rows) hash.update(`${r.id}:${r.version};`);
    hash.update('|');
  }
  return hash.digest('base64');
}

function progressDeadlineMs(text: string): number {
  return parseDuration(text) ?? 10 * 60_000;
}
