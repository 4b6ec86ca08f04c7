import { createRequire } from 'node:module';

/**
 * The slice of better-sqlite3 the ledger uses. The package ships no types and @types/better-sqlite3 is not a
 * dependency, so it is loaded through require and typed here, locally, rather than with a global module declaration.
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): SqliteDatabase;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}

const require = createRequire(import.meta.url);

export function openDatabase(path: string): SqliteDatabase {
  const Database = require('better-sqlite3') as new (path: string) => SqliteDatabase;
  return new Database(path);
}
