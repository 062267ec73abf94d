import type { Connection } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';

/** The ORM connection's knex client and result shaping, which the hot path uses directly. */
export type RawConnection = Connection & { getKnex(): Knex; transformRawResult<T>(res: unknown, method: 'all' | 'get' | 'run'): T };

export type RawExecute = (sql: string, params?: unknown[], method?: 'all' | 'get' | 'run', trx?: unknown) => Promise<any>;

/**
 * Statements go to the driver with bound parameters. MikroORM's own `execute` inlines every
 * parameter into the SQL text first: for a 500-row batch that is a megabyte of escaped JSON
 * literals to build, lower-case (the SQLite dialect inspects the text) and parse again, which cost
 * the engine half its steady-state throughput (docs/benchmarks.md).
 */
export function rawExecute(connection: RawConnection): RawExecute {
  return async (sql, params = [], method = 'all', trx) => {
    const query = connection.getKnex().raw(sql, params as Knex.RawBinding[]);
    if (trx) query.transacting(trx as Knex.Transaction);
    return connection.transformRawResult(await query, method);
  };
}
