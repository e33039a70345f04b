import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';

export type Pg = NodePgDatabase;

/**
 * Where a repository's statements run: on the pool (each call stands alone, a multi-statement
 * call gets a transaction of its own) or on the one client of an open unit of work.
 */
export class Exec {
  /** drizzle on the same pool or client. */
  readonly db: Pg;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly client: pg.PoolClient | null,
  ) {
    this.db = drizzle({ client: client ?? pool });
  }

  static onPool(pool: pg.Pool): Exec {
    return new Exec(pool, null);
  }

  static onClient(pool: pg.Pool, client: pg.PoolClient): Exec {
    return new Exec(pool, client);
  }

  /**
   * A raw statement (the hot paths, and what drizzle's builder cannot say). With `name` it is
   * prepared once per connection and reused (parse and plan once).
   */
  async rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<R[]> {
    return (await this.result<R>(text, values, name)).rows;
  }

  async result<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    const on = this.client ?? this.pool;
    return on.query<R>(name ? { name, text, values } : { text, values });
  }

  /**
   * Runs `fn` atomically: inside a unit of work it simply is part of it; alone, it gets its own
   * transaction on one client (`snapshot`: REPEATABLE READ READ ONLY, one consistent read).
   */
  atomic<T>(fn: (e: Exec) => Promise<T>, opts: { snapshot?: boolean } = {}): Promise<T> {
    if (this.client) return fn(this);
    return transaction(this.pool, (client) => fn(Exec.onClient(this.pool, client)), opts.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
  }
}

/**
 * One client, BEGIN … COMMIT, ROLLBACK when `fn` (or COMMIT) throws. A client whose connection may
 * be broken goes back to the pool destroyed.
 */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let discard: Error | undefined;
  try {
    try {
      await client.query(begin);
    } catch (e) {
      discard = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
    try {
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      // Whatever failed (a statement, COMMIT, a bug in `fn`): roll back; a connection that cannot
      // even do that is dropped (the server rolls back a closed session by itself).
      await client.query('ROLLBACK').catch((re: unknown) => {
        discard = re instanceof Error ? re : new Error(String(re));
      });
      throw e;
    }
  } finally {
    client.release(discard);
  }
}

/** Text ordered byte by byte, as SQLite orders it, whatever the database's collation. */
export const binary = (column: AnyColumn | SQL): SQL => sql`${column} collate "C"`;

/** Ascending as SQLite sorts: text byte by byte, NULL first (PostgreSQL would put it last). */
export const ascLikeSqlite = (column: AnyColumn): SQL => sql`${column} collate "C" asc nulls first`;
