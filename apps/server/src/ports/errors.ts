import type { ErrorCode } from '@invigil/contract';

/**
 * What went wrong, in domain terms. Services and core-facing code throw these; the HTTP edge
 * (http/error-mapping.ts) turns each kind into a status once. No service knows a status code.
 */
export type ErrorKind =
  | 'invalid' // the request cannot be right (bad shape, wrong answer type)
  | 'unauthenticated' // no valid login
  | 'forbidden' // known caller, not allowed (wrong role, wrong token, wrong device)
  | 'not_found' // no such thing in the caller's scope
  | 'conflict' // the state of things refuses it (already active, finished, name taken)
  | 'too_large' // the body is over its limit
  | 'locked' // the session is locked until staff unlock it
  | 'rate_limited' // too many tries: wait `retryAfterSeconds`
  | 'unavailable'; // storage or a dependency is down: try again

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** No such thing, or not the caller's: the two answer exactly alike. */
export class NotFoundError extends DomainError {
  constructor(message = 'not found') {
    super('not_found', 'NOT_FOUND', message);
  }
}

/** The current state refuses the change. */
export class ConflictError extends DomainError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super('conflict', code, message, details);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many failed attempts; try again later',
  ) {
    super('rate_limited', 'RATE_LIMITED', message, { retryAfterSeconds });
  }
}

export const notFound = (message?: string) => new NotFoundError(message);
export const conflict = (code: ErrorCode, message: string, details?: unknown) => new ConflictError(code, message, details);
export const invalid = (code: ErrorCode, message: string, details?: unknown) => new DomainError('invalid', code, message, details);
export const forbidden = (message = 'not allowed', code: ErrorCode = 'FORBIDDEN', details?: unknown) => new DomainError('forbidden', code, message, details);
export const unauthenticated = (message = 'sign in first') => new DomainError('unauthenticated', 'UNAUTHENTICATED', message);
export const locked = (message: string) => new DomainError('locked', 'SESSION_LOCKED', message);

/**
 * Thrown by a repository when a unique constraint refuses a write. `constraint` is the adapter's
 * own name for it, mapped from the database's constraint/index name (never from the error class).
 */
export class UniqueViolation extends Error {
  constructor(readonly constraint: UniqueConstraint) {
    super(`unique constraint ${constraint} refused the write`);
    this.name = 'UniqueViolation';
  }
}

export type UniqueConstraint =
  | 'one_active_session_per_candidate'
  | 'one_attempt_per_exam'
  | 'staff_username'
  | 'center_name'
  | 'room_name'
  | 'seat'
  | 'other';

/** A start that cannot go on, said in one sentence (main.ts prints it, no stack trace, exit 3). */
export class StartupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupRefused';
  }
}

/** The database (or another store the answer depends on) cannot be reached or written. */
export class StorageUnavailable extends DomainError {
  constructor(message = 'storage is unavailable; nothing was changed, try again shortly') {
    super('unavailable', 'STORAGE_UNAVAILABLE', message);
  }
}
