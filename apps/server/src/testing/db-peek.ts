import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Db } from '../adapters/sqlite/open.ts';

/** Reads the server's SQLite file from the test (read-only, beside the running server). */
export function peek<T = Record<string, unknown>>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'invigil.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * Writes to the server's SQLite file as someone with write access to it would: the append-only
 * triggers are dropped first (they stop mistakes, not an attacker who holds the file).
 */
export function tamper(dataDir: string, sql: string, ...params: unknown[]): void {
  const db = new Database(join(dataDir, 'invigil.sqlite'), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    dropAppendOnlyTriggers(db);
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

export function dropAppendOnlyTriggers(db: Database.Database): void {
  for (const t of ['archives_no_update', 'archives_no_delete', 'archive_seals_no_update', 'archive_seals_no_delete', 'marks_no_update', 'marks_no_delete']) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
}

/** The drizzle handle of an in-process server's SQLite database (behind its read cache, if any). */
export function sqliteDrizzle(db: unknown): Db {
  const inner = (db as { inner?: unknown }).inner ?? db;
  return (inner as { db: Db }).db;
}

/** The better-sqlite3 connection of an in-process server's SQLite database. */
export function sqliteClient(db: unknown): Database.Database {
  return sqliteDrizzle(db).$client;
}
