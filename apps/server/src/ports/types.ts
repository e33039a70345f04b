import type { CandidateSessionSummary, SessionState, StartDecision } from '@invigil/core';
import type { InstructionType, Question, Role } from '@invigil/contract';

/** One exam session (and its attempt) as the services see it. */
export interface SessionRecord {
  sessionId: string;
  attemptId: string;
  candidateId: string;
  examId: string;
  state: SessionState;
  recoveryTokenHash: string;
  devicePublicKey: string | null;
  deviceFingerprint: string | null;
  browserInfo: string;
  ipAddress: string;
  startedAt: number;
  lastActivityAt: number;
  lastSeq: number;
  heartbeatCount: number;
  centerId: string | null;
  roomId: string | null;
  seat: string | null;
  /** Time paused by staff, in ms (incident time). */
  incidentMs: number;
  resumeCodeHash: string | null;
  resumeCodeExpiresAt: number | null;
  deviceGeneration: number;
}

export interface AuditEntry {
  at: number;
  actorType: 'staff' | 'candidate' | 'system' | 'anonymous';
  actorId: string | null;
  action: string;
  attemptId?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface AlertInput {
  /** Chosen by the caller when it must name the alert before it is stored (live events); else generated. */
  id?: string;
  at: number;
  attemptId: string | null;
  candidateId: string | null;
  examId: string | null;
  centerId?: string | null;
  roomId?: string | null;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  detail?: Record<string, unknown>;
}

export interface ExamPolicyOverrides {
  heartbeatIntervalMs?: number;
  missedHeartbeatsBeforePause?: number;
  maxRecoveryAttempts?: number;
  pausedSessionTtlMs?: number;
}

export interface ExamRecord {
  id: string;
  title: string;
  durationMinutes: number;
  questions: Question[];
  status: 'draft' | 'open' | 'closed';
  opensAt: number | null;
  closesAt: number | null;
  policy: ExamPolicyOverrides;
  createdAt: number;
}

export interface StaffRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: 'admin' | 'proctor';
  disabled?: boolean;
}

export interface AuthSessionRecord {
  id: string;
  tokenHash: string;
  subjectType: 'staff' | 'candidate';
  userId: string;
  role: Role;
  examId: string | null;
  candidateId: string | null;
  userAgent: string;
  deviceType: string;
  deviceName: string;
  browser: string;
  os: string;
  ipAddress: string;
  createdAt: number;
  lastActivity: number;
  expiresAt: number;
  idleTimeoutMs: number;
  revokedAt: number | null;
  revokeReason?: string | null;
}

export interface StoredAnswerRecord {
  questionId: string;
  value: unknown;
  clientSeq: number;
  savedAt: number;
}

export interface AnswerWrite {
  attemptId: string;
  questionId: string;
  valueJson: string;
  clientSeq: number;
  at: number;
}

export interface AnswerWriteResult {
  applied: boolean;
  clientSeq: number;
  savedAt: number;
}

export interface InstructionRecord {
  id: string;
  attemptId: string;
  type: InstructionType;
  message: string | null;
  issuedAt: number;
}

/** What starting a session decides; the store fills in the rest (times, counters, no resume code). */
export type NewSession = Pick<
  SessionRecord,
  'sessionId' | 'attemptId' | 'candidateId' | 'examId' | 'state' | 'recoveryTokenHash' | 'devicePublicKey' | 'deviceFingerprint' | 'browserInfo' | 'ipAddress' | 'centerId' | 'roomId' | 'seat'
> & { now: number };

/** The result of a read-modify-write on one session, decided by pure domain code. */
export type SessionDecision<T> =
  | { kind: 'update'; record: SessionRecord; audit: AuditEntry[]; alerts?: AlertInput[]; result: T }
  | { kind: 'keep'; audit?: AuditEntry[]; alerts?: AlertInput[]; result: T };

export type StartOutcome = { ok: true; record: SessionRecord } | ({ ok: false } & Exclude<StartDecision, { ok: true }>);

export type { CandidateSessionSummary };

export interface AlertRecord {
  id: string;
  at: number;
  attemptId: string | null;
  candidateId: string | null;
  examId: string | null;
  centerId: string | null;
  roomId: string | null;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  detail: Record<string, unknown> | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface InstructionStatusRecord extends InstructionRecord {
  deliveredAt: number | null;
  ackedAt: number | null;
}

export interface StaffSessionFilter {
  examId?: string;
  centerId?: string;
  roomId?: string;
  status?: string;
  includeFinished?: boolean;
}
