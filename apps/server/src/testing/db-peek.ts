import Database from 'better-sqlite3';
import { join } from 'node:path';

/** Reads the server's SQLite file from the test (read-only, beside the running server). */
export function peek<T = Record<string, unknown>>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'invigil.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
