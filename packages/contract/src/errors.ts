import { z } from 'zod';

/** Every error code the API answers with. Clients switch on these, never on messages. */
export const ErrorCode = z.enum([
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'ACTIVE_SESSION_EXISTS',
  'PAUSED_SESSION_EXISTS',
  'TOO_MANY_PAUSED_SESSIONS',
  'ATTEMPT_FINISHED',
  'EXAM_CLOSED',
  'EXAM_NOT_OPEN',
  'LOGIN_LIMIT_REACHED',
  'INVALID_RESUME_CODE',
  'SESSION_NOT_ACTIVE',
  'SESSION_NOT_PAUSED',
  'SESSION_FINISHED',
  'SESSION_LOCKED',
  'PAUSED_BY_STAFF',
  'INVALID_RECOVERY_TOKEN',
  'DEVICE_MISMATCH',
  'INVALID_ANSWER',
  'CONFLICT',
  'INTERNAL',
  'STORAGE_UNAVAILABLE',
  /** GET /exams/{id}: the questions are shown only while the candidate's session runs (details.reason says why not). */
  'QUESTIONS_NOT_AVAILABLE',
  /** An offline staff-code challenge that is mistyped, of another kiosk, or too old. */
  'INVALID_CHALLENGE',
  /** An offline bundle that cannot be opened, is not signed by the attempt's device, or was changed. */
  'INVALID_BUNDLE',
  /** POST /admin/exams/{id}/open: an exam needs at least one question. */
  'NO_QUESTIONS',
  /** POST /admin/exams/{id}/close: sessions are running (details.running); repeat with ?confirm=true. */
  'SESSIONS_RUNNING',
  /** Accommodations or an access code of a candidate who has already started cannot change this way. */
  'ALREADY_STARTED',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
