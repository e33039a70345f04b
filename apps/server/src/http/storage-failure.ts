/**
 * Whether an error means a store could not be reached or written (disk full, database down, Redis
 * gone), so the answer is 503 STORAGE_UNAVAILABLE ("try again"), not 500 ("our bug"). Nothing was
 * acknowledged, so nothing is lost: the client retries.
 */
const SQLITE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|PROTOCOL)/;
const NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const REDIS_MESSAGES = /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|Reached the max retries|MaxRetriesPerRequest/i;
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i;

export function storageFailure(err: unknown): 'database' | 'redis' | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; constructor?: { name?: string } };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const name = typeof e.name === 'string' ? e.name : '';
  if (SQLITE.test(code)) return 'database';
  // PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P operator intervention.
  if (/^(08|53|57P)/.test(code)) return 'database';
  if (REDIS_MESSAGES.test(message) || name === 'MaxRetriesPerRequestError') return 'redis';
  if (PG_MESSAGES.test(message)) return 'database';
  if (NET.has(code)) return /redis|6379/i.test(message) ? 'redis' : 'database';
  return null;
}
