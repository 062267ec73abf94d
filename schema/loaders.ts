import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/core';
import {
  ApplicationRow,
  ReleaseChannelRow,
  ReleaseRow,
  RuntimeRow,
  ServiceInstanceRow,
  ServiceRow,
} from '../server/store/entities/index.js';
import { createReleaseLoaders } from './resolvers/release-page.js';
import { createLeanLoaders } from './lean-rows.js';

type Keyed = { id: string };

/** One query per batch of ids, results in key order. */
function byId<T extends Keyed>(em: EntityManager, entity: new () => T): DataLoader<string, T | undefined> {
  return new DataLoader(async (ids) => {
    const rows = (await em.find(entity as never, { id: { $in: [...ids] } } as never)) as T[];
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id));
  });
}

/** One query per batch of parent ids, grouped by the foreign key column. */
function byParent<T extends Keyed>(em: EntityManager, entity: new () => T, column: keyof T & string, orderBy?: Record<string, 'asc' | 'desc'>): DataLoader<string, T[]> {
  return new DataLoader(async (parentIds) => {
    const rows = (await em.find(entity as never, { [column]: { $in: [...parentIds] } } as never, orderBy ? ({ orderBy } as never) : undefined)) as T[];
    const groups = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    for (const row of rows) groups.get(row[column] as unknown as string)?.push(row);
    return parentIds.map((id) => groups.get(id)!);
  });
}

/**
 * Per-request batch loaders: a dashboard query for 10 channels × 50 services costs a handful of
 * queries, not one per instance.
 */
export function createLoaders(em: EntityManager) {
  return {
    application: byId(em, ApplicationRow),
    runtime: byId(em, RuntimeRow),
    channel: byId(em, ReleaseChannelRow),
    service: byId(em, ServiceRow),
    release: byId(em, ReleaseRow),
    instance: byId(em, ServiceInstanceRow),
    channelsByApplication: byParent(em, ReleaseChannelRow, 'applicationId', { position: 'asc' }),
    servicesByApplication: byParent(em, ServiceRow, 'applicationId', { name: 'asc' }),
    instancesByChannel: byParent(em, ServiceInstanceRow, 'channelId'),
    instancesByService: byParent(em, ServiceInstanceRow, 'serviceId'),
    instancesByDesiredRelease: byParent(em, ServiceInstanceRow, 'desiredReleaseId'),
    channelsByRuntime: byParent(em, ReleaseChannelRow, 'runtimeId'),
    ...createReleaseLoaders(em),
    ...createLeanLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
