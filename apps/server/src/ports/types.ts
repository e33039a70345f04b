import type { SessionState } from '@invigil/core';
import type { InstructionType, Question, Role } from '@invigil/contract';
import type { CopyCheck } from './stamps.ts';

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
  resumeCodeHash: string | null;
  resumeCodeExpiresAt: number | null;
  /** Wrong resume codes entered against the current code (five kill it). */
  resumeCodeFailures: number;
  /**
   * The recovery token this one replaced, and when: a recover whose answer was lost may be retried
   * with it for a short grace window and gets the same answer again.
   */
  prevRecoveryTokenHash: string | null;
  recoveryRotatedAt: number | null;
  deviceGeneration: number;
}

/** Who is calling, once their bearer token checked out. */
export interface Principal {
  sessionId: string;
  role: Role;
  /** staff_users.id or registrations.id */
  userId: string;
  username?: string;
  examId?: string | null;
  candidateId?: string | null;
  /** Proctors: the centers/rooms they are assigned to. */
  assignments?: Assignment[];
  /** Only when the route asked for it (see `Unchecked`): the login is a copy held in memory, not yet checked. */
  unchecked?: Unchecked;
}

/**
 * A principal taken from a login copy held in memory whose stamps were NOT checked (with REDIS_URL,
 * for the heartbeat only). Whoever acts on it either checks `checks` in the same atomic step as its
 * own change (Presence.advanceIfCurrent), or calls `confirm()` first, which checks the login as
 * every other request's authentication does and throws as that would (401 for a revoked login).
 * What a login names (role, user, exam, candidate) never changes: only whether it is still valid.
 */
export interface Unchecked {
  checks: readonly CopyCheck[];
  confirm: () => Promise<void>;
}

/** A proctor's assignment: a whole center (roomId null) or one room of it. */
export interface Assignment {
  centerId: string;
  roomId: string | null;
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
  /** How many occurrences this raise stands for (default 1): a heartbeat's repeated events of one kind. */
  count?: number;
}

export interface ExamPolicyOverrides {
  heartbeatIntervalMs?: number;
  missedHeartbeatsBeforePause?: number;
  maxRecoveryAttempts?: number;
  pausedSessionTtlMs?: number;
}

export interface ExamRecord {
  id: string;
  /** The short code candidates may type instead of the id (upper case). */
  code: string;
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
  /** A candidate login serving this attempt: it has no deadline while the attempt can continue. */
  pinnedAttemptId?: string | null;
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

/**
 * `applied`: stored; `stale`: an equal or newer clientSeq was stored already (acknowledged, not
 * overwritten); `refused`: the session was not active and unlocked with time left when the write
 * ran, so nothing was stored (the answer itself enforces "no answer lands after submit").
 */
export type AnswerWriteResult = { outcome: 'applied' | 'stale'; clientSeq: number; savedAt: number } | { outcome: 'refused' };

export interface InstructionRecord {
  id: string;
  attemptId: string;
  type: InstructionType;
  message: string | null;
  issuedAt: number;
}

/** A registration as the candidate side needs it (login, start). */
export interface RegistrationRecordLite {
  id: string;
  accessCodeHash: string;
  name: string;
  centerId: string | null;
  roomId: string | null;
  seat: string | null;
  /** Planned extra time (accommodation), added to the allowed time at start. */
  extraTimeMinutes: number;
}

/** A new instruction for a kiosk, queued until its device acknowledges it. */
export interface NewInstruction extends InstructionRecord {
  issuedBy: string;
  reason: string | null;
  deviceGeneration: number;
  /** The whole-room action that issued it (its deliveries are counted), if any. */
  batchId?: string | null;
}

export interface PresenceFlush {
  attemptId: string;
  lastSeenAt: number;
  seq: number;
  beats: number;
}

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
  /** Times raised while open (coalesced), and the latest of them. */
  count: number;
  lastAt: number;
}

export interface InstructionStatusRecord extends InstructionRecord {
  deliveredAt: number | null;
  ackedAt: number | null;
}

/** A session as the staff lists see it: with the candidate's name and the registration's planned accommodations (minutes). */
export interface StaffSessionRecord extends SessionRecord {
  candidateName: string;
  plannedExtraMinutes: number;
  restBreakMinutes: number;
}

export interface StaffSessionFilter {
  examId?: string;
  centerId?: string;
  roomId?: string;
  status?: string;
  includeFinished?: boolean;
}

/** A signed-in candidate, as the services see them: scoped to their own attempts of one exam. */
export interface CandidateRef {
  candidateId: string;
  examId: string | null;
  ip: string;
  /** The login session the request came with (pinned to the attempt it starts). */
  loginId?: string;
  /** The login was not checked yet (Principal.unchecked): nothing is done or answered before it is. */
  unchecked?: Unchecked;
}

/** Who caused a change: a candidate (scoped to their own sessions), staff, or the system. */
export type Actor =
  | { type: 'candidate'; ref: CandidateRef }
  | { type: 'staff'; id: string; ip: string; reason: string | null }
  | { type: 'system' };
