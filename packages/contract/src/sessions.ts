import { z } from 'zod';
import { DevicePublicKey, DeviceSignature, Id, IsoDateTime, Secret, Slug } from './common.ts';

export const CandidateLoginRequest = z.object({
  examId: Id,
  candidateId: Slug,
  accessCode: z.string().min(1).max(200),
});
export type CandidateLoginRequest = z.infer<typeof CandidateLoginRequest>;

export const CandidateLoginResponse = z.object({
  token: z.string(),
  expiresAt: IsoDateTime,
  /** Beyond PROTOCOL: the exam's id, also when the login named it by its short code (start with it). */
  examId: Id.optional(),
});
export type CandidateLoginResponse = z.infer<typeof CandidateLoginResponse>;

export const SessionStatus = z.enum(['active', 'paused', 'expired', 'completed', 'terminated']);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const StartSessionRequest = z.object({
  examSetId: Id,
  deviceFingerprint: z.string().min(1).max(512).optional(),
  browserInfo: z.string().max(1_000).optional(),
  devicePublicKey: DevicePublicKey.optional(),
});
export type StartSessionRequest = z.infer<typeof StartSessionRequest>;

export const SessionInfo = z.object({
  sessionId: Id,
  attemptId: Id,
  examSetId: Id,
  status: SessionStatus,
  startedAt: IsoDateTime,
  lastActivityAt: IsoDateTime,
  deviceInfo: z.object({ fingerprint: z.string(), browser: z.string(), ip: z.string() }),
  timeRemaining: z.number().int().min(0),
  canResume: z.boolean(),
  isLocked: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const StartSessionResponse = SessionInfo.extend({
  recoveryToken: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  serverTime: z.number().int(),
});
export type StartSessionResponse = z.infer<typeof StartSessionResponse>;

export const ActiveSessionsResponse = z.object({
  hasActiveSession: z.boolean(),
  activeSession: SessionInfo.optional(),
  pausedSessions: z.array(SessionInfo),
  canStartNew: z.boolean(),
  blockReason: z.string().optional(),
});
export type ActiveSessionsResponse = z.infer<typeof ActiveSessionsResponse>;

/** What staff ask of a kiosk; delivered in heartbeat answers until acknowledged. */
/** `help_seen`: a proctor acknowledged the candidate's raised hand (the kiosk says so). */
export const InstructionType = z.enum(['lock', 'unlock', 'pause', 'resume', 'message', 'submit', 'quit', 'help_seen']);
export type InstructionType = z.infer<typeof InstructionType>;

export const Instruction = z.object({
  id: Id,
  type: InstructionType,
  message: z.string().optional(),
  issuedAt: IsoDateTime,
});
export type Instruction = z.infer<typeof Instruction>;

/** Integrity observations a kiosk reports with its heartbeat. */
export const IntegrityEventType = z.enum([
  'focus_lost',
  'focus_regained',
  'display_count',
  'forbidden_process',
  'remote_access',
  'vm_suspected',
  'clipboard_blocked',
  'shortcut_blocked',
  /** The candidate pressed "Raise hand": an alert for the room's proctors. */
  'help_requested',
]);
export type IntegrityEventType = z.infer<typeof IntegrityEventType>;

export const IntegrityEvent = z.object({
  type: IntegrityEventType,
  at: IsoDateTime,
  details: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
});
export type IntegrityEvent = z.infer<typeof IntegrityEvent>;

export const HeartbeatRequest = z.object({
  attemptId: Id,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  deviceFingerprint: z.string().min(1).max(512).optional(),
  signature: DeviceSignature.optional(),
  ackInstructionIds: z.array(Id).max(100).optional(),
  events: z.array(IntegrityEvent).max(50).optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

export const HeartbeatResponse = z.object({
  sessionValid: z.boolean(),
  timeRemaining: z.number().int().min(0),
  serverTime: z.number().int(),
  warning: z.string().optional(),
  shouldForceRefresh: z.boolean(),
  instructions: z.array(Instruction),
  /** Our addition: the session's status, so a kiosk can tell "paused" from "locked" from "over". */
  status: SessionStatus.optional(),
  isLocked: z.boolean().optional(),
  /**
   * Our addition: how long this session may stay silent before the server pauses it (heartbeat
   * interval × missed beats); a kiosk offline longer stops its clock, as the server does.
   */
  pauseAfterMs: z.number().int().positive().optional(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

export const RecoverRequest = z.object({
  recoveryToken: Secret,
  signature: DeviceSignature.optional(),
});
export type RecoverRequest = z.infer<typeof RecoverRequest>;

export const RecoverResponse = z.object({
  attemptId: Id,
  recoveryToken: z.string(),
  answersRestored: z.number().int().min(0),
  lastSaveTime: IsoDateTime.nullable(),
  timeRemaining: z.number().int().min(0),
  /** Our addition: the highest heartbeat seq the server has seen, so a restarted kiosk continues above it. */
  lastHeartbeatSeq: z.number().int().min(0),
  status: SessionStatus,
});
export type RecoverResponse = z.infer<typeof RecoverResponse>;

/** single: an option id; multiple: option ids; text: free text; null clears the answer. */
export const AnswerValue = z.union([z.string().max(100_000), z.array(Slug).max(50), z.null()]);
export type AnswerValue = z.infer<typeof AnswerValue>;

export const SaveAnswerRequest = z.object({
  value: AnswerValue,
  clientSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type SaveAnswerRequest = z.infer<typeof SaveAnswerRequest>;

export const SaveAnswerResponse = z.object({
  questionId: Slug,
  clientSeq: z.number().int(),
  savedAt: IsoDateTime,
  /** Our addition: false when a newer clientSeq was already stored (idempotent replay). */
  applied: z.boolean(),
});
export type SaveAnswerResponse = z.infer<typeof SaveAnswerResponse>;

export const StoredAnswer = z.object({
  questionId: Slug,
  value: AnswerValue,
  clientSeq: z.number().int(),
  savedAt: IsoDateTime,
});
export type StoredAnswer = z.infer<typeof StoredAnswer>;

export const AnswersResponse = z.object({ answers: z.array(StoredAnswer) });
export type AnswersResponse = z.infer<typeof AnswersResponse>;

/** Path parameters. */
export const AttemptParams = z.object({ attemptId: Id });
export const AnswerParams = z.object({ attemptId: Id, questionId: Slug });
