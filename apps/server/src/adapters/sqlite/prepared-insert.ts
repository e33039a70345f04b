import type Database from 'better-sqlite3';
import { getTableColumns, getTableName, is, SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

/**
 * An INSERT of every column of a drizzle table, prepared once (drizzle's builder would build and
 * prepare the SQL again on every call). A value left out takes the column's default, or NULL; a
 * boolean is bound as 0/1, as drizzle stores it. Throws what the statement throws (map unique
 * violations at the caller).
 */
export function preparedInsert<T extends SQLiteTable>(client: Database.Database, table: T): (row: T['$inferInsert']) => Database.RunResult {
  const cols = Object.entries(getTableColumns(table));
  for (const [js, col] of cols) {
    if (is(col.default, SQL) || col.defaultFn || col.onUpdateFn) throw new Error(`preparedInsert: ${getTableName(table)}.${js} has a default that is not a plain value`);
  }
  const st = client.prepare(`INSERT INTO "${getTableName(table)}" (${cols.map(([, c]) => `"${c.name}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  return (row) => {
    const values = new Array<unknown>(cols.length);
    for (let i = 0; i < cols.length; i++) {
      const [js, col] = cols[i]!;
      let v = (row as Record<string, unknown>)[js];
      // (An INTEGER PRIMARY KEY bound NULL is given the next rowid.)
      if (v === undefined) v = col.default ?? null;
      values[i] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
    return st.run(...values);
  };
}
