import type { ErrorCode } from '@invigil/contract';

/** An error the API answers with its envelope; anything else is a 500 and logged. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 423 | 429 | 500 | 503,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = 'not found') => new AppError(404, 'NOT_FOUND', what);
export const unauthenticated = (msg = 'sign in first') => new AppError(401, 'UNAUTHENTICATED', msg);
export const forbidden = (msg = 'not allowed') => new AppError(403, 'FORBIDDEN', msg);

export function envelope(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
