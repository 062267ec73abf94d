import type { FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import { ReleaseRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { toRelease } from '../mappers.js';
import { pageOf, pageWindow } from '../types/connection.js';
import type { ReleaseConnection } from '../types/domain.js';

/** One page of releases, for the `releases` connections of applications and services. */
export async function releasePage(
  ctx: GraphQLContext,
  where: FilterQuery<ReleaseRow>,
  orderBy: QueryOrderMap<ReleaseRow>,
  first: number,
  after: string | null | undefined,
): Promise<ReleaseConnection> {
  const { limit, offset } = pageWindow(first, after);
  const [rows, total] = await ctx.em.findAndCount(ReleaseRow, where, { orderBy, limit: limit + 1, offset });
  return pageOf(rows.map(toRelease), offset, limit, total) as ReleaseConnection;
}
