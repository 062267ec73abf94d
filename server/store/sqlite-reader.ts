/**
 * A second, read-only connection to the SQLite file for the engine's hot reads (instance rows,
 * siblings, schedules). The ORM has one connection, and a query waits on it behind every
 * transaction in front of it: a woken instance's rows behind the outcome writes of a batch. In WAL
 * mode a reader never waits for the writer and sees every committed transaction, so the engine's
 * reads go here and its writes stay on the ORM's connection.
 */
import sqlite3 from 'sqlite3';
import type { RawExecute } from '../engine/raw-sql.js';

export interface SqliteReader {
  execute: RawExecute;
  /** Told of every statement (tests count what the engine reads). */
  onStatement(listener: (sql: string) => void): () => void;
  close(): Promise<void>;
}

export async function openSqliteReader(file: string): Promise<SqliteReader> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(opened)));
  });
  // Waits instead of failing while a checkpoint or recovery holds the file for a moment.
  await new Promise<void>((resolve, reject) => db.run('PRAGMA busy_timeout = 5000', (err) => (err ? reject(err) : resolve())));
  const listeners = new Set<(sql: string) => void>();
  return {
    execute: (sql, params = [], method = 'all', trx) => {
      if (trx !== undefined || method !== 'all') return Promise.reject(new Error('the SQLite reader only reads, outside transactions'));
      for (const listener of listeners) listener(sql);
      return new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows))));
    },
    onStatement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve()))),
  };
}
