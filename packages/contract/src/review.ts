import { z } from 'zod';
import { Id, IsoDateTime } from './common.ts';
import { AnswerValue, SessionStatus } from './sessions.ts';

/**
 * Review: the sealed archive of a finished attempt (metadata, device, answers, scoring and the
 * full event timeline under a SHA-256 hash chain), the session browser and verification.
 */

/** Query strings often carry empty values (`?status=&q=`): an empty value means "not given". */
const blankAsAbsent = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

/**
 * Page cursor: opaque to clients (pass back `nextCursor` as it came).
 * It is `{startedAtMs}.{attemptId}` of the last row of the previous page.
 */
export const ReviewCursor = z
  .string()
  .max(260)
  .regex(/^\d{1,16}\.[^\s]{1,200}$/, 'not a cursor this server handed out')
  .transform((s) => {
    const dot = s.indexOf('.');
    return { startedAt: Number(s.slice(0, dot)), attemptId: s.slice(dot + 1) };
  });

export const ReviewSessionsQuery = z.object({
  status: blankAsAbsent(SessionStatus),
  examId: blankAsAbsent(Id),
  centerId: blankAsAbsent(Id),
  roomId: blankAsAbsent(Id),
  /** true: only sealed attempts; false: only attempts without an archive yet. */
  sealed: blankAsAbsent(z.enum(['true', 'false'])),
  /** Case-insensitive substring of candidate id, candidate name, session id or attempt id. */
  q: blankAsAbsent(z.string().trim().min(1).max(200)),
  limit: blankAsAbsent(z.coerce.number().int().min(1).max(200)),
  cursor: blankAsAbsent(ReviewCursor),
});
export type ReviewSessionsQuery = z.infer<typeof ReviewSessionsQuery>;

export const ReviewSessionRow = z.object({
  attemptId: Id,
  sessionId: Id,
  candidate: z.object({ id: z.string(), name: z.string() }),
  exam: z.object({ id: z.string(), title: z.string() }),
  status: SessionStatus,
  isLocked: z.boolean(),
  endReason: z.string().nullable(),
  centerId: z.string().nullable(),
  roomId: z.string().nullable(),
  seat: z.string().nullable(),
  startedAt: IsoDateTime,
  endedAt: IsoDateTime.nullable(),
  /** Objective score, once sealed (null before). */
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  alertCount: z.number().int(),
  openAlertCount: z.number().int(),
  sealed: z.boolean(),
  sealedAt: IsoDateTime.nullable(),
});
export type ReviewSessionRow = z.infer<typeof ReviewSessionRow>;

export const ReviewSessionsResponse = z.object({
  sessions: z.array(ReviewSessionRow),
  /** Rows matching the filters (in your scope), over all pages. */
  total: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type ReviewSessionsResponse = z.infer<typeof ReviewSessionsResponse>;

/** One entry of the timeline: an audit event, an alert or a staff instruction to the kiosk. */
export const ArchiveEvent = z.object({
  /** Position in the timeline, from 0. */
  seq: z.number().int().min(0),
  at: IsoDateTime,
  source: z.enum(['audit', 'alert', 'instruction']),
  /** audit: the action (session.started...); alert: its kind; instruction: its type. */
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  /** SHA-256 (hex) of previous hash + canonical JSON of this event without `hash`. */
  hash: z.string(),
});
export type ArchiveEvent = z.infer<typeof ArchiveEvent>;

export const QuestionOutcome = z.enum(['correct', 'incorrect', 'unanswered', 'needs_review']);

export const ArchiveScoring = z.object({
  rule: z.string(),
  /** Points awarded on auto-scored (objective, keyed) questions. */
  score: z.number(),
  /** Points available on auto-scored questions. */
  maxScore: z.number(),
  /** Questions left for a human (text questions, objective ones without a usable key). */
  manualReview: z.object({ questions: z.number().int(), points: z.number() }),
  questions: z.array(
    z.object({
      questionId: z.string(),
      type: z.string(),
      points: z.number(),
      /** null when not auto-scored. */
      awarded: z.number().nullable(),
      outcome: QuestionOutcome,
    }),
  ),
});
export type ArchiveScoring = z.infer<typeof ArchiveScoring>;

/** A question as sealed into the archive (text, options and key), so the archive reads on its own. */
export const ArchiveQuestion = z.object({
  id: z.string(),
  type: z.string(),
  prompt: z.string(),
  options: z.array(z.object({ id: z.string(), label: z.string() })).optional(),
  points: z.number(),
  correct: z.array(z.string()).optional(),
});
export type ArchiveQuestion = z.infer<typeof ArchiveQuestion>;

export const Archive = z.object({
  format: z.literal('invigil-archive/v1'),
  /** The exam's questions at sealing (archives sealed before this field existed lack it). */
  questions: z.array(ArchiveQuestion).optional(),
  attemptId: Id,
  /** null in a live view (not sealed yet). */
  sealedAt: IsoDateTime.nullable(),
  metadata: z.object({
    attemptId: Id,
    sessionId: Id,
    exam: z.object({ id: z.string(), title: z.string(), durationMinutes: z.number().int().nullable() }),
    candidate: z.object({ id: z.string(), name: z.string() }),
    centerId: z.string().nullable(),
    roomId: z.string().nullable(),
    seat: z.string().nullable(),
    status: SessionStatus,
    isLocked: z.boolean(),
    endReason: z.string().nullable(),
    startedAt: IsoDateTime,
    endedAt: IsoDateTime.nullable(),
    timeAllowedSeconds: z.number().int(),
    timeUsedSeconds: z.number().int(),
    /** Time paused by staff. */
    incidentSeconds: z.number().int(),
    /** Planned extra time (an accommodation) included in timeAllowedSeconds, apart from incident time and proctors' extensions. */
    plannedExtraSeconds: z.number().int().optional(),
    /** Time proctors added during the session (extend), included in timeAllowedSeconds. */
    extensionSeconds: z.number().int().optional(),
    /** Planned rest breaks (an accommodation), in seconds. */
    restBreakSeconds: z.number().int().optional(),
    counts: z.object({ answers: z.number().int(), events: z.number().int(), alerts: z.number().int(), instructions: z.number().int() }),
  }),
  device: z.object({
    publicKey: z.string().nullable(),
    fingerprint: z.string().nullable(),
    browser: z.string(),
    ip: z.string(),
    /** Bumped by each transfer to another desk. */
    generation: z.number().int(),
  }),
  answers: z.array(z.object({ questionId: z.string(), value: AnswerValue, clientSeq: z.number().int(), savedAt: IsoDateTime })),
  scoring: ArchiveScoring,
  events: z.array(ArchiveEvent),
  chain: z.object({
    algorithm: z.literal('sha256'),
    /** SHA-256 of "invigil-archive/v1\n" + canonical JSON of everything but `events` and `chain`. */
    genesis: z.string(),
    head: z.string(),
  }),
});
export type Archive = z.infer<typeof Archive>;

// ---- Manual marking (sealed as an addendum to the archive) ----

export const MarkParams = z.object({ attemptId: Id, questionId: z.string().min(1).max(100) });
export const MarkRequest = z.strictObject({
  points: z.number().finite().min(0).max(1_000),
  comment: z.string().trim().max(5_000).optional(),
});
export type MarkRequest = z.infer<typeof MarkRequest>;

export const ReviewMark = z.object({
  questionId: z.string(),
  points: z.number(),
  comment: z.string(),
  markedBy: z.string(),
  markedAt: IsoDateTime,
});
export type ReviewMark = z.infer<typeof ReviewMark>;

/** Totals with manual marks: what is auto-scored, what was marked by hand, and what is still unmarked. */
export const ReviewMarking = z.object({
  /** Every mark verified against its seal (HMAC under the server secret) and the archive's chain head. */
  valid: z.boolean(),
  reason: z.string().nullable(),
  /** The latest valid mark per question. */
  marks: z.array(ReviewMark),
  /** Marks given in all (a question marked twice counts twice). */
  history: z.number().int(),
  autoScore: z.number(),
  manualScore: z.number(),
  score: z.number(),
  /** Points of every question (auto-scored and manual). */
  maxScore: z.number(),
  /** Questions that need a human mark and have none yet. */
  unmarked: z.array(z.string()),
  complete: z.boolean(),
});
export type ReviewMarking = z.infer<typeof ReviewMarking>;

export const ReviewDetail = z.object({
  sealed: z.boolean(),
  /** The questions (from the archive; the exam's for a live view or an archive sealed without them). */
  questions: z.array(ArchiveQuestion).optional(),
  /** Manual marks and totals (sealed attempts only; null before). */
  marking: ReviewMarking.nullable().optional(),
  sealedAt: IsoDateTime.nullable(),
  /** The stored head (sealed) or the live view's head (not stored). */
  chainHead: z.string(),
  archive: Archive,
});
export type ReviewDetail = z.infer<typeof ReviewDetail>;

export const VerifyResponse = z.object({
  valid: z.boolean(),
  /** The head stored when the archive was sealed. */
  chainHead: z.string(),
  /** The head recomputed from the archive's content now. */
  recomputedHead: z.string().nullable(),
  /** Number of events in the archive's timeline. */
  events: z.number().int(),
  /** Index of the first event whose stored hash does not match, if any. */
  brokenAt: z.number().int().nullable(),
  /** Why it is not valid (null when valid). */
  reason: z.string().nullable(),
  /**
   * What differs from the keyed seal made at sealing ("scoring", "answers", "event 3", "score
   * (stored beside the archive)", "seal"…); empty when valid.
   */
  changed: z.array(z.string()),
  /** The manual marks sealed as addenda: each checked against its HMAC and the archive's chain head. */
  marks: z.object({ count: z.number().int(), valid: z.boolean(), reason: z.string().nullable() }).optional(),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;

// ---- Results per exam ----

export const ResultsQuery = z.object({ format: blankAsAbsent(z.enum(['json', 'csv', 'xlsx'])) });

export const ResultRow = z.object({
  candidateId: z.string(),
  name: z.string(),
  centerName: z.string().nullable(),
  roomName: z.string().nullable(),
  seat: z.string().nullable(),
  /** not_started, or the session's status. */
  status: z.string(),
  attemptId: z.string().nullable(),
  /** Points per question in the exam's order (null: unanswered auto-scored questions score 0; null = not marked yet / no attempt). */
  points: z.array(z.number().nullable()),
  autoScore: z.number().nullable(),
  manualScore: z.number().nullable(),
  total: z.number().nullable(),
  maxScore: z.number(),
  unmarked: z.number().int(),
  incidentMinutes: z.number(),
  plannedExtraMinutes: z.number(),
  extensionMinutes: z.number(),
  alerts: z.number().int(),
});
export type ResultRow = z.infer<typeof ResultRow>;

export const ExamResults = z.object({
  exam: z.object({ id: z.string(), title: z.string(), code: z.string() }),
  questions: z.array(z.object({ id: z.string(), type: z.string(), points: z.number(), prompt: z.string() })),
  rows: z.array(ResultRow),
});
export type ExamResults = z.infer<typeof ExamResults>;
