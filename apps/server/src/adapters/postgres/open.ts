import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from 'pino';
import { PostgresDatabase } from './postgres-database.ts';

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The session-level advisory lock every instance takes to migrate (one fixed key: 'invi'). */
const MIGRATION_LOCK = 0x696e7669;

export interface PostgresOptions {
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** A statement running longer is cancelled (default 15 s); migrations have no limit. */
  statementTimeoutMs?: number;
  /** Waiting longer for a free connection fails the call with "storage unavailable" (default 5 s). */
  connectionTimeoutMs?: number;
}

/** bigint (int8) as a JS number: epoch milliseconds and counts stay far below 2^53. */
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) => (oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

/**
 * Applies the committed migrations (migrations/, drizzle-kit) under a session advisory lock, so
 * instances that start together migrate once: the first applies them, the others wait for it and
 * then find nothing left to do. Answers how many this call applied. A dedicated connection without
 * a statement timeout: a long migration, or waiting for another instance's, is not a failure.
 */
export async function migratePostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'invigil-migrate', types });
  await client.connect();
  try {
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const before = await appliedCount(client);
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
      return (await appliedCount(client)) - before;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

async function appliedCount(client: pg.Client): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query<{ n: number }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
  return r.rows[0]?.n ?? 0;
}

/**
 * Opens the PostgreSQL database at `url` (postgres://user:pass@host:port/db): migrates it (see
 * migratePostgres), then answers the adapter on a pool of `poolSize` connections.
 */
export async function openPostgresDatabase(url: string, opts: PostgresOptions = {}): Promise<PostgresDatabase> {
  const applied = await migratePostgres(url);
  if (applied > 0) opts.log?.info({ applied }, 'postgres: migrations applied');
  const statementTimeout = opts.statementTimeoutMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeout,
    // A dead server or a cut network: the client gives up a little after the server would have.
    query_timeout: statementTimeout + 5_000,
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    application_name: 'invigil',
    types,
  });
  // An idle connection that breaks (server restart) is reported here, not thrown at a request.
  pool.on('error', (err) => opts.log?.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'postgres: an idle connection failed; the pool replaces it'));
  return new PostgresDatabase(pool, applied);
}
