import type { ErrorCode } from '@invigil/contract';
import { DomainError, RateLimitedError, UniqueViolation, type ErrorKind, type UniqueConstraint } from '../ports/errors.ts';

export type HttpStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 423 | 429 | 500 | 503;

/** An error of the HTTP layer itself (a body over its limit): it knows its status and headers. */
export class HttpError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** The one place a domain error's kind becomes an HTTP status. */
const STATUS: Record<ErrorKind, HttpStatus> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
};

export interface HttpAnswer {
  status: HttpStatus;
  body: ReturnType<typeof envelope>;
  headers: Record<string, string>;
}

/** What a constraint that refused a write protects, in words (a race the service's own check lost). */
const TAKEN: Record<UniqueConstraint, string> = {
  one_active_session_per_candidate: 'another exam session of yours is active',
  one_attempt_per_exam: 'this exam was already attempted',
  staff_username: 'that username is taken',
  center_name: 'a center with that name already exists',
  room_name: 'this center already has a room with that name',
  seat: 'that seat is already taken',
  other: 'that already exists',
};

/** How an error is answered, or undefined when it is not one we answer (a bug: 500, logged). */
export function httpAnswer(err: unknown): HttpAnswer | undefined {
  if (err instanceof UniqueViolation) {
    const code = err.constraint === 'one_active_session_per_candidate' ? 'ACTIVE_SESSION_EXISTS' : err.constraint === 'one_attempt_per_exam' ? 'ATTEMPT_FINISHED' : 'CONFLICT';
    return { status: 409, body: envelope(code, TAKEN[err.constraint]), headers: {} };
  }
  if (err instanceof HttpError) return { status: err.status, body: envelope(err.code, err.message, err.details), headers: err.headers ?? {} };
  if (err instanceof DomainError) {
    const headers: Record<string, string> = {};
    if (err instanceof RateLimitedError) headers['Retry-After'] = String(err.retryAfterSeconds);
    if (err.kind === 'unavailable') headers['Retry-After'] = '5';
    return { status: STATUS[err.kind], body: envelope(err.code, err.message, err.details), headers };
  }
  return undefined;
}

export function envelope(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
