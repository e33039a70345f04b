import type { CreateExamRequest, CandidateRegistration } from '@invigil/contract';
import type { CandidateSessionSummary, StartDecision } from '@invigil/core';
import type {
  AlertInput,
  AlertRecord,
  InstructionStatusRecord,
  StaffSessionFilter,
  AnswerWrite,
  AnswerWriteResult,
  AuditEntry,
  AuthSessionRecord,
  ExamRecord,
  InstructionRecord,
  NewSession,
  SessionDecision,
  SessionRecord,
  StaffRecord,
  StartOutcome,
  StoredAnswerRecord,
} from './types.ts';

/**
 * The persistence port. Every method is one atomic domain operation; the SQLite adapter is the
 * embedded default, and PostgreSQL will implement the same interface.
 */
export interface Store {
  // staff and provisioning
  countStaff(): number;
  createStaff(user: StaffRecord, now: number, audit: AuditEntry): void;
  findStaffByUsername(username: string): StaffRecord | undefined;
  /** The centers/rooms a proctor is assigned to. */
  staffAssignments(staffId: string): { centerId: string; roomId: string | null }[];
  createExam(id: string, input: CreateExamRequest, createdBy: string, now: number, audit: AuditEntry): ExamRecord;
  getExam(id: string): ExamRecord | undefined;
  /** Upserts candidates and their registrations to one exam, all or nothing. Returns how many rows. */
  registerCandidates(examId: string, rows: (CandidateRegistration & { accessCodeHash: string })[], now: number, audit: AuditEntry): number;
  findRegistration(examId: string, candidateId: string): { id: string; accessCodeHash: string; name: string; centerId: string | null; roomId: string | null; seat: string | null } | undefined;

  // login sessions
  /**
   * Opens a login session under the role's concurrency limit, atomically: counts the user's live
   * sessions, then evicts the oldest or refuses, as the limit says. With `denyIfExamActiveFor`, refuses
   * while that candidate has an active exam session.
   */
  openAuthSession(
    session: AuthSessionRecord,
    limit: { maxSessions: number; onLimit: 'terminate_oldest' | 'deny_new'; denyIfExamActiveFor: string | null },
    audit: AuditEntry,
  ): { ok: true; evicted: string[] } | { ok: false; reason: 'limit' | 'exam_active'; active: number };
  listAuthSessions(userId: string, now: number): AuthSessionRecord[];
  /** Every login session of the user, live or not, newest first (analytics). */
  allAuthSessions(userId: string, limit: number): AuthSessionRecord[];
  revokeAuthSession(id: string, userId: string, reason: string, now: number, audit: AuditEntry): boolean;
  revokeAllAuthSessions(userId: string, exceptId: string | null, reason: string, now: number, audit: AuditEntry): number;
  /** Marks sessions past their deadlines as ended ('expired'); returns how many. */
  cleanupAuthSessions(now: number): number;
  getSetting(key: string): unknown;
  putSetting(key: string, value: unknown, by: string, now: number, audit: AuditEntry): void;
  updateStaffPassword(userId: string, passwordHash: string, now: number, audit: AuditEntry): void;
  findStaffById(id: string): StaffRecord | undefined;
  findAuthSessionByTokenHash(tokenHash: string): AuthSessionRecord | undefined;
  touchAuthSessions(batch: { id: string; lastActivity: number }[]): void;

  // exam sessions
  startSession(input: NewSession, decide: (existing: CandidateSessionSummary[]) => StartDecision, audit: AuditEntry[]): StartOutcome;
  getSession(attemptId: string, candidateId?: string): SessionRecord | undefined;
  listCandidateSessions(candidateId: string): SessionRecord[];
  listSessionsByStatus(status: 'active' | 'paused'): SessionRecord[];
  /**
   * Read-modify-write of one session in one transaction. `decide` is pure; it sees the session and
   * the candidate's other sessions. Returns undefined when the session does not exist (in scope).
   */
  updateSession<T>(
    attemptId: string,
    candidateId: string | null,
    decide: (current: SessionRecord, others: SessionRecord[]) => SessionDecision<T>,
  ): T | undefined;
  recordPresence(batch: { attemptId: string; lastSeenAt: number; seq: number; beats: number }[]): void;

  // answers
  saveAnswers(batch: AnswerWrite[]): AnswerWriteResult[];
  listAnswers(attemptId: string): StoredAnswerRecord[];
  answerStats(attemptId: string): { count: number; lastSavedAt: number | null };

  // audit, alerts, instructions
  appendAudit(entries: AuditEntry[]): void;
  raiseAlert(alert: AlertInput): string;
  /** Unacknowledged instructions for the session's device of this generation (older devices' are never delivered). */
  pendingInstructions(attemptId: string, deviceGeneration: number): InstructionRecord[];
  addInstruction(i: InstructionRecord & { issuedBy: string; reason: string | null; deviceGeneration: number }): void;
  listInstructions(attemptId: string): InstructionStatusRecord[];
  listAlerts(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; limit: number }): AlertRecord[];
  getAlert(id: string): AlertRecord | undefined;
  ackAlert(id: string, by: string, now: number, audit: AuditEntry): boolean;
  openAlertCounts(): Map<string, number>;
  /** Sessions for staff views, with the candidate's name. */
  listSessionsForStaff(filter: StaffSessionFilter): (SessionRecord & { candidateName: string })[];
  attemptsWithPendingInstructions(): string[];
  markInstructionsDelivered(attemptId: string, ids: string[], now: number): void;
  ackInstructions(attemptId: string, deviceGeneration: number, ids: string[], now: number): number;

  close(): void;
}
