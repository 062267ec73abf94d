import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MikroORM as SqliteORM, SqliteDriver } from '@mikro-orm/sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { MikroORM, Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { openSqliteReader, type SqliteReader } from './sqlite-reader.js';

export type DatabaseKind = 'sqlite' | 'postgresql';

export interface DatabaseOptions {
  /** postgres://... switches to PostgreSQL; otherwise SQLite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  debug?: boolean;
  /** Up to (and including) this migration only: tests build a database as an older version left it. */
  upTo?: string;
}

export interface Store {
  orm: MikroORM;
  kind: DatabaseKind;
  /** SQLite: a second, read-only connection for the engine's hot reads (sqlite-reader.ts). */
  reader?: SqliteReader;
  close(): Promise<void>;
}

/** Opens the database and brings its schema up to date. Migrations run at every start-up. */
export async function openStore(options: DatabaseOptions): Promise<Store> {
  const kind: DatabaseKind = options.databaseUrl?.match(/^postgres(ql)?:\/\//) ? 'postgresql' : 'sqlite';
  const common: Partial<Options> = {
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    // Entities are never serialized by the ORM; the API maps them to GraphQL types itself.
    serialization: { forceObject: true },
  };

  let orm: MikroORM;
  if (kind === 'postgresql') {
    orm = await SqliteORM.init({ ...common, driver: PostgreSqlDriver, clientUrl: options.databaseUrl } as Options);
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    const dbName = path.join(options.dataDir, 'driftless.db');
    orm = await SqliteORM.init({
      ...common,
      driver: SqliteDriver,
      dbName,
      pool: {
        afterCreate: (conn: { run: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
          // WAL lets readers run during the engine's batched writes; busy_timeout waits instead of
          // failing when a checkpoint holds the lock; a larger cache keeps 100k-row tables fast.
          const pragmas = ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 5000', 'PRAGMA cache_size = -65536', 'PRAGMA foreign_keys = ON'];
          const next = (i: number): void => {
            if (i === pragmas.length) return done(null, conn);
            conn.run(pragmas[i]!, (err) => (err ? done(err, conn) : next(i + 1)));
          };
          next(0);
        },
      },
    } as Options);
  }

  await orm.getMigrator().up(options.upTo ? { to: options.upTo } : undefined);
  if (kind === 'postgresql') return { orm, kind, close: () => orm.close(true) };
  // Opened after the migrations, so it reads the schema they made (and WAL mode is on).
  const reader = await openSqliteReader(path.join(options.dataDir, 'driftless.db'));
  return {
    orm,
    kind,
    reader,
    close: async () => {
      await reader.close();
      await orm.close(true);
    },
  };
}
