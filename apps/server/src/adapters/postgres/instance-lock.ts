import pg from 'pg';
import { StorageUnavailable } from '../../ports/errors.ts';
import { InstanceLockRefused, type InstanceLock } from '../../ports/instance-lock.ts';

/**
 * The advisory lock for "serving this database", in the two-key form (class, id) so it can never
 * meet the single-key migration lock (open.ts) or lockUser's (class, hashtext) locks.
 */
const CLASS = 0x696e7667; // 'invg'
const ID = 1;

/**
 * Who serves a database: held as a session-level advisory lock on a connection of its own, so it
 * goes away with the process however the process ends. `exclusive` (no REDIS_URL) refuses when any
 * other instance holds it; `shared` (REDIS_URL) may be held by any number, and keeps an exclusive
 * taker out.
 */
export async function lockPostgres(url: string, mode: 'exclusive' | 'shared'): Promise<InstanceLock> {
  const client = new pg.Client({ connectionString: url, application_name: `invigil-instance-${mode}`, connectionTimeoutMillis: 5_000, keepAlive: true });
  client.on('error', () => undefined); // the lock goes with the connection; the pool reports outages
  try {
    await client.connect();
  } catch (e) {
    throw new StorageUnavailable(`cannot reach PostgreSQL at DATABASE_URL: ${(e as Error).message}`);
  }
  const fn = mode === 'exclusive' ? 'pg_try_advisory_lock' : 'pg_try_advisory_lock_shared';
  const r = await client.query<{ ok: boolean }>(`SELECT ${fn}($1, $2) AS ok`, [CLASS, ID]);
  if (!r.rows[0]?.ok) {
    await client.end().catch(() => undefined);
    throw new InstanceLockRefused(
      mode === 'exclusive'
        ? 'another Invigil server is already serving this DATABASE_URL, and without REDIS_URL only one instance may serve it (set REDIS_URL on every instance to run several), so this one stops and the running one keeps serving.'
        : 'an Invigil server without REDIS_URL is already serving this DATABASE_URL on its own; stop it, or set REDIS_URL on it too, before starting more instances.',
    );
  }
  return {
    release: async () => {
      await client.end().catch(() => undefined);
    },
  };
}
