import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/core';
import { ReleaseRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toRelease } from '../mappers.js';
import { pageOf, pageRequest, type CursorKey, type PageRequest } from '../types/connection.js';
import type { ReleaseConnection } from '../types/domain.js';

/** The two `releases` connections: a service's by number, an application's by creation (number, then id, break ties). */
export type ReleaseParent = 'serviceId' | 'applicationId';

const COLUMN: Record<ReleaseParent, string> = { serviceId: 'service_id', applicationId: 'application_id' };
const ORDER_SQL: Record<ReleaseParent, string> = { serviceId: 'number desc', applicationId: 'created_at desc, number desc, id desc' };

export function releaseKey(parent: ReleaseParent, row: ReleaseRow): CursorKey {
  return parent === 'serviceId' ? [row.number] : [row.createdAt.getTime(), row.number, row.id];
}

/** Newest first, in the connection's order. */
function compareRows(parent: ReleaseParent): (a: ReleaseRow, b: ReleaseRow) => number {
  return (a, b) => {
    const ka = releaseKey(parent, a);
    const kb = releaseKey(parent, b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? 1 : -1;
    return 0;
  };
}

function afterWhere(parent: ReleaseParent, key: CursorKey): Record<string, unknown> {
  if (parent === 'serviceId') return { number: { $lt: Number(key[0]) } };
  const [at, number, id] = [new Date(Number(key[0])), Number(key[1]), String(key[2])];
  return { $or: [{ createdAt: { $lt: at } }, { createdAt: at, number: { $lt: number } }, { createdAt: at, number, id: { $lt: id } }] };
}

interface PageKey {
  parent: ReleaseParent;
  parentId: string;
  /** Rows wanted: the page size plus one (is there a next page?). */
  take: number;
  after?: CursorKey;
}

/**
 * First pages of many parents in one statement (ROW_NUMBER per parent, SQLite and PostgreSQL
 * alike), then their rows in a second: a dashboard of 10 applications costs what one costs.
 * Pages after a cursor are one query each (a client pages one connection at a time).
 */
async function loadPages(em: EntityManager, keys: readonly PageKey[]): Promise<ReleaseRow[][]> {
  const results = new Map<PageKey, ReleaseRow[]>();
  const firstPages = new Map<string, PageKey[]>();
  for (const key of keys) {
    if (key.after) {
      const rows = await em.find(ReleaseRow, { [key.parent]: key.parentId, ...afterWhere(key.parent, key.after) } as never, { orderBy: key.parent === 'serviceId' ? { number: 'desc' } : { createdAt: 'desc', number: 'desc', id: 'desc' }, limit: key.take });
      results.set(key, rows);
    } else {
      const group = `${key.parent}:${key.take}`;
      firstPages.set(group, [...(firstPages.get(group) ?? []), key]);
    }
  }
  for (const group of firstPages.values()) {
    const { parent, take } = group[0]!;
    const parentIds = [...new Set(group.map((k) => k.parentId))];
    const idRows = (await em
      .getConnection()
      .execute(
        `select id from (select id, row_number() over (partition by ${COLUMN[parent]} order by ${ORDER_SQL[parent]}) as rn from releases where ${COLUMN[parent]} in (${parentIds.map(() => '?').join(', ')})) ranked where rn <= ?`,
        [...parentIds, take],
      )) as { id: string }[];
    const rows = idRows.length ? await em.find(ReleaseRow, { id: { $in: idRows.map((r) => r.id) } }) : [];
    rows.sort(compareRows(parent));
    for (const key of group) results.set(key, rows.filter((r) => r[parent] === key.parentId));
  }
  return keys.map((k) => results.get(k) ?? []);
}

/** Release counts of many parents in one grouped statement, only when a query selects totalCount. */
async function loadCounts(em: EntityManager, keys: readonly string[]): Promise<number[]> {
  const byParent = new Map<ReleaseParent, string[]>();
  for (const key of keys) {
    const [parent, id] = key.split('|') as [ReleaseParent, string];
    byParent.set(parent, [...(byParent.get(parent) ?? []), id]);
  }
  const counts = new Map<string, number>();
  for (const [parent, ids] of byParent) {
    const rows = (await em
      .getConnection()
      .execute(`select ${COLUMN[parent]} as parent, count(*) as n from releases where ${COLUMN[parent]} in (${ids.map(() => '?').join(', ')}) group by ${COLUMN[parent]}`, ids)) as { parent: string; n: number | string }[];
    for (const row of rows) counts.set(`${parent}|${row.parent}`, Number(row.n));
  }
  return keys.map((k) => counts.get(k) ?? 0);
}

export function createReleaseLoaders(em: EntityManager) {
  return {
    releasePages: new DataLoader<PageKey, ReleaseRow[], string>((keys) => loadPages(em, keys), { cacheKeyFn: (k) => JSON.stringify(k) }),
    releaseCounts: new DataLoader<string, number>((keys) => loadCounts(em, keys)),
  };
}

/** One page of releases, for the `releases` connections of applications and services. */
export async function releasePage(ctx: GraphQLContext, parent: ReleaseParent, parentId: string, first: number | null | undefined, after: string | null | undefined, withTotal: boolean): Promise<ReleaseConnection> {
  const request: PageRequest = pageRequest(`${parent === 'serviceId' ? 'Service' : 'Application'}.releases:${parentId}`, first, after);
  const [rows, total] = await Promise.all([
    ctx.loaders.releasePages.load({ parent, parentId, take: request.limit + 1, after: request.after }),
    withTotal ? ctx.loaders.releaseCounts.load(`${parent}|${parentId}`) : Promise.resolve(0),
  ]);
  return pageOf(rows.map(toRelease), request, (r) => releaseKey(parent, r.row), total) as ReleaseConnection;
}

/** A service's newest release: the first row of its first page, batched with every other service's. */
export async function latestReleaseOf(ctx: GraphQLContext, serviceId: string): Promise<ReleaseRow | undefined> {
  return (await ctx.loaders.releasePages.load({ parent: 'serviceId', parentId: serviceId, take: 1 }))[0];
}
