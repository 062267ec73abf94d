import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { ServiceInstanceRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { leanFields, leanInstanceColumns, subFields } from '../lean-rows.js';
import { toRelease, toService, toServiceInstance } from '../mappers.js';
import type { Release, Service, ServiceInstance } from '../types/domain.js';

/** The release fields of an instance, and the column each names its release by. */
export const INSTANCE_RELEASES = { desiredRelease: 'desiredReleaseId', targetRelease: 'targetReleaseId', convergedRelease: 'convergedReleaseId' } as const;

/** What a list resolver already loaded for an instance's fields (absent: the field loads it). */
export interface PreloadedInstanceFields {
  service?: Service;
  desiredRelease?: Release | null;
  targetRelease?: Release | null;
  convergedRelease?: Release | null;
}

/**
 * A channel's instances, with the service and releases their selection asks for attached: one
 * batch each, one API object per row shared by every instance that names it (as the data is
 * shared), so those fields resolve without a promise, a load and a mapping per instance.
 * Lean rows (schema/lean-rows.ts) wherever the selection allows.
 */
export async function channelInstances(ctx: GraphQLContext, info: GraphQLResolveInfo, channelId: string): Promise<ServiceInstance[]> {
  const columns = leanInstanceColumns(info);
  const loader = columns ? ctx.loaders.leanInstancesByChannel(columns) : ctx.loaders.instancesByChannel;
  const rows = await loader.load(channelId);
  const instances = rows.map(toServiceInstance);
  await preload(ctx, info, rows, instances);
  return instances;
}

async function preload(ctx: GraphQLContext, info: GraphQLResolveInfo, rows: ServiceInstanceRow[], instances: ServiceInstance[]): Promise<void> {
  const jobs: Promise<void>[] = [];
  const attach = <T>(field: keyof PreloadedInstanceFields, ids: (string | null | undefined)[], mapped: Map<string, T>) =>
    instances.forEach((instance, i) => {
      const id = ids[i];
      // No id: null. Not found: left to the field resolver, which fails (or answers null) as it always did.
      if (!id) (instance.preloaded ??= {})[field] = null as never;
      else if (mapped.has(id)) (instance.preloaded ??= {})[field] = mapped.get(id) as never;
    });

  const serviceNodes = subFields(info.fieldNodes, info.fragments, 'service');
  if (serviceNodes.length) {
    const loader = leanFields(serviceNodes, info.fragments, 'service') ? ctx.loaders.leanService : ctx.loaders.service;
    const ids = rows.map((r) => r.serviceId);
    jobs.push(mapEach(ctx, loader, ids, toService).then((mapped) => attach('service', ids, mapped)));
  }
  for (const [field, column] of Object.entries(INSTANCE_RELEASES) as [keyof typeof INSTANCE_RELEASES, (typeof INSTANCE_RELEASES)[keyof typeof INSTANCE_RELEASES]][]) {
    const nodes = subFields(info.fieldNodes, info.fragments, field);
    if (!nodes.length) continue;
    const loader = leanFields(nodes, info.fragments, 'release') ? ctx.loaders.leanRelease : ctx.loaders.release;
    const ids = rows.map((r) => r[column]);
    jobs.push(mapEach(ctx, loader, ids, toRelease).then((mapped) => attach(field, ids, mapped)));
  }
  await Promise.all(jobs);
}

/**
 * API objects of lean rows, per request: every channel's instances name the same 50 services and
 * releases, which are mapped once. Only lean rows: they are snapshots nothing writes to, while an
 * entity may change within the request (a mutation) after it was mapped.
 */
const mappedLeanRows = new WeakMap<GraphQLContext, WeakMap<object, unknown>>();

/** Loads the distinct ids once and maps each row once. */
async function mapEach<R extends object, T>(ctx: GraphQLContext, loader: DataLoader<string, R | undefined>, ids: (string | null | undefined)[], map: (row: R) => T): Promise<Map<string, T>> {
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  const rows = await loader.loadMany(unique);
  const lean = loader === (ctx.loaders.leanService as unknown) || loader === (ctx.loaders.leanRelease as unknown);
  let memo = lean ? mappedLeanRows.get(ctx) : undefined;
  if (lean && !memo) mappedLeanRows.set(ctx, (memo = new WeakMap()));
  const mapped = new Map<string, T>();
  rows.forEach((row, i) => {
    if (!row || row instanceof Error) return;
    let value = memo?.get(row) as T | undefined;
    if (value === undefined) {
      value = map(row);
      memo?.set(row, value);
    }
    mapped.set(unique[i]!, value);
  });
  return mapped;
}
