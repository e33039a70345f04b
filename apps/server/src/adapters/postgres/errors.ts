import { DrizzleQueryError } from 'drizzle-orm';
import { DomainError, invalid, StorageUnavailable, UniqueViolation, type UniqueConstraint } from '../../ports/errors.ts';

/** The port's name for each unique index or constraint of schema.ts (by name, never by error class). */
const BY_CONSTRAINT: Record<string, UniqueConstraint> = {
  exam_sessions_one_active_per_candidate: 'one_active_session_per_candidate',
  exam_sessions_one_attempt_per_exam: 'one_attempt_per_exam',
  staff_users_username_unique: 'staff_username',
  staff_users_username_lower: 'staff_username',
  centers_name_unique: 'center_name',
  centers_name_lower: 'center_name',
  rooms_center_name: 'room_name',
  rooms_center_name_lower: 'room_name',
  registrations_one_per_seat: 'seat',
};

/** SQLSTATEs that mean "not now" rather than "never": the server is down, busy, or broke a tie. */
const TRANSIENT_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);
const TRANSIENT_CLASSES = ['08', '53']; // connection exception, insufficient resources (disk full, too many connections)
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** node-postgres reports pool and socket trouble by message only. */
const NETWORK_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /Query read timeout/i, /Client has encountered a connection error/i, /Cannot use a pool after calling end/i];

/**
 * drizzle wraps the driver's error in one whose message lists the query's parameters (hashes,
 * names): the driver's own error is kept instead, with the query text but no parameters.
 */
function unwrap(e: unknown): unknown {
  if (e instanceof DrizzleQueryError && e.cause instanceof Error) {
    if (!('query' in e.cause)) Object.assign(e.cause, { query: e.query });
    return e.cause;
  }
  return e;
}

/** A PostgreSQL error as node-postgres reports it (the fields this adapter reads). */
interface PgError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

export function pgCode(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as PgError).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function transient(e: unknown): boolean {
  const code = pgCode(e);
  if (code !== undefined && (TRANSIENT_STATES.has(code) || TRANSIENT_CLASSES.some((c) => code.startsWith(c)) || NETWORK_CODES.has(code))) return true;
  const message = e instanceof Error ? e.message : '';
  return NETWORK_MESSAGES.some((m) => m.test(message));
}

/**
 * The port's error for a PostgreSQL one: a unique violation (23505) becomes UniqueViolation named
 * after the refused constraint; trouble reaching or using the server (connection lost, timeouts,
 * deadlock, shutdown) becomes StorageUnavailable, answered 503 "try again"; text PostgreSQL cannot
 * hold (a NUL character) is a bad request. Anything else (a bug,
 * another constraint) is returned as it is.
 */
export function mapPgError(err: unknown): unknown {
  if (err instanceof UniqueViolation || err instanceof DomainError) return err;
  const e = unwrap(err);
  const code = pgCode(e);
  if (code === '23505') {
    const constraint = (e as PgError).constraint;
    return new UniqueViolation((typeof constraint === 'string' && BY_CONSTRAINT[constraint]) || 'other');
  }
  // PostgreSQL text cannot hold U+0000 (SQLite can): such a value was never stored, nor can it be.
  if (code === '22021' || code === '22P05') return invalid('BAD_REQUEST', 'text with a NUL character (U+0000) cannot be stored or looked up');
  if (transient(e)) {
    const out = new StorageUnavailable();
    (out as { cause?: unknown }).cause = e;
    return out;
  }
  return e;
}
