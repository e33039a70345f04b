import type { NewExam } from '@invigil/contract';
import type { CopyCheck } from './stamps.ts';
import type {
  AdminExamRecord,
  CenterRecord,
  DeleteOutcome,
  ExamPatch,
  ExamStatus,
  InUse,
  Placement,
  RegistrationRecord,
  RoomRecord,
  RosterWrite,
  StaffAccountRecord,
} from './admin-records.ts';
import type { AttendanceFilter, AttendanceRecord, BatchDelivery, NoteFilter, NoteRecord, WaiverRecord } from './room-ops-records.ts';
import type { MarksRepo } from './marks.ts';
import type { AttemptSnapshot, PlaceFilter, ReviewListFilter, ReviewListRow, StoredArchive } from './review-records.ts';
import type {
  AlertInput,
  AlertRecord,
  Assignment,
  AnswerWrite,
  AnswerWriteResult,
  AuditEntry,
  AuthSessionRecord,
  ExamRecord,
  InstructionRecord,
  InstructionStatusRecord,
  NewInstruction,
  PresenceFlush,
  RegistrationRecordLite,
  SessionRecord,
  StaffRecord,
  StaffSessionFilter,
  StaffSessionRecord,
  StoredAnswerRecord,
} from './types.ts';

/**
 * The repositories, one per aggregate. Every method returns a Promise. Called through
 * `Database.repos` each call stands alone (its own statement or transaction); called on the `r`
 * a unit of work hands in (`Database.tx`), they all run in that one transaction.
 * Repositories write no audit of their own: the service appends it in the same unit of work.
 */
export interface Repos {
  staff: StaffRepo;
  loginSessions: LoginSessionRepo;
  exams: ExamRepo;
  registrations: RegistrationRepo;
  roster: RosterRepo;
  examSessions: ExamSessionRepo;
  answers: AnswerRepo;
  audit: AuditRepo;
  alerts: AlertRepo;
  instructions: InstructionRepo;
  settings: SettingsRepo;
  places: PlacesRepo;
  review: ReviewRepo;
  offlineBundles: OfflineBundleRepo;
  roomOps: RoomOpsRepo;
  marks: MarksRepo;
}

export interface StaffRepo {
  count(): Promise<number>;
  /** False when the username is taken (compared without regard to case). */
  create(u: { id: string; username: string; displayName: string; role: 'admin' | 'proctor'; passwordHash: string }, now: number): Promise<boolean>;
  findByUsername(username: string): Promise<StaffRecord | undefined>;
  findById(id: string): Promise<StaffRecord | undefined>;
  /** The centers/rooms a proctor is assigned to. */
  assignments(staffId: string): Promise<Assignment[]>;
  setPassword(id: string, passwordHash: string, now: number): Promise<boolean>;
  list(): Promise<StaffAccountRecord[]>;
  getAccount(id: string): Promise<StaffAccountRecord | undefined>;
  update(id: string, patch: { role?: 'admin' | 'proctor'; displayName?: string; disabledAt?: number | null }): Promise<boolean>;
  /** Enabled admins other than `exceptId`. */
  countOtherActiveAdmins(exceptId: string): Promise<number>;
  replaceAssignments(staffId: string, assignments: Assignment[], now: number): Promise<void>;
}

export interface LoginSessionRepo {
  /**
   * Serialises logins of one user until the unit of work ends (the per-role limit counts live
   * sessions, then inserts: two logins at once must not both see room for one more).
   */
  lockUser(userId: string): Promise<void>;
  /** Live (not revoked, and pinned to an attempt or not past either deadline at `now`) sessions of the user, oldest first. */
  live(userId: string, now: number): Promise<AuthSessionRecord[]>;
  /** Ties an unrevoked login to the attempt it serves: from now on no deadline ends it (see `endPinned`). */
  pin(loginId: string, attemptId: string): Promise<void>;
  /**
   * The attempt ended: every unrevoked login pinned to it is unpinned and ends at `endsAt` (and by
   * its idle timeout before that). Answers how many.
   */
  endPinned(attemptId: string, endsAt: number, now: number): Promise<number>;
  /** Every session of the user, live or not, newest first. */
  all(userId: string, limit: number): Promise<AuthSessionRecord[]>;
  insert(s: AuthSessionRecord): Promise<void>;
  /** `fresh`: from the database itself, never a copy a process holds (the periodic checks that catch what no event announces). */
  findByTokenHash(tokenHash: string, o?: { fresh?: boolean }): Promise<AuthSessionRecord | undefined>;
  /**
   * With the read cache across processes only: the login held in memory under this token hash, NOT
   * checked against its stamps, with what it was read under (as ExamSessionRepo.held).
   */
  held?(tokenHash: string): { rec: AuthSessionRecord; checks: readonly CopyCheck[] } | undefined;
  /** Revokes the ids given (only still-live ones of `userId` when given); answers how many. */
  revoke(ids: string[], reason: string, now: number, userId?: string): Promise<number>;
  /** Revokes every unrevoked session of the user except `exceptId`; answers how many. */
  revokeAll(userId: string, exceptId: string | null, reason: string, now: number): Promise<number>;
  /** Marks sessions past their deadlines as ended ('expired'), never a pinned one; answers how many. */
  cleanup(now: number): Promise<number>;
  touch(batch: { id: string; lastActivity: number }[]): Promise<void>;
}

export interface ExamRepo {
  /** `extra.status` defaults to open (PROTOCOL: an exam created with questions is open); `extra.code` to a fresh random one. */
  create(id: string, input: NewExam, createdBy: string, now: number, extra?: { code?: string; status?: ExamStatus }): Promise<ExamRecord>;
  get(id: string): Promise<ExamRecord | undefined>;
  /** The exam with this short code (as stored: upper case). */
  findByCode(code: string): Promise<ExamRecord | undefined>;
  getAdmin(id: string): Promise<AdminExamRecord | undefined>;
  list(filter: { status?: ExamStatus; limit: number; offset: number }): Promise<{ total: number; exams: AdminExamRecord[] }>;
  /** False when there is no such exam. */
  update(id: string, patch: ExamPatch, now: number): Promise<boolean>;
  sessionCount(id: string): Promise<number>;
  /** Sessions of the exam not in a final state (active or paused). */
  runningSessionCount(id: string): Promise<number>;
}

export interface RegistrationRepo {
  find(examId: string, candidateId: string): Promise<RegistrationRecordLite | undefined>;
  /** The registration id (the candidate's login user id) and access-code hash of each of these candidates registered for the exam. */
  credentials(examId: string, candidateIds: string[]): Promise<Map<string, { id: string; accessCodeHash: string }>>;
  /** Upserts candidates and their registrations (PROTOCOL's register route); answers how many rows. */
  register(examId: string, rows: { candidateId: string; name: string; accessCodeHash: string }[], now: number): Promise<number>;
  list(examId: string, filter: { centerId?: string; roomId?: string; limit: number; offset: number }): Promise<{ total: number; registrations: RegistrationRecord[] }>;
  get(examId: string, candidateId: string): Promise<RegistrationRecord | undefined>;
  /** The candidate already in that seat (same exam, center and room), if any other than `candidateId`. */
  seatTakenBy(examId: string, candidateId: string, p: Placement): Promise<string | undefined>;
  place(examId: string, candidateId: string, p: Placement): Promise<boolean>;
  /** Sets planned extra time and rest breaks (minutes) of these registrations; a field left out stays. Answers how many rows matched. */
  setAccommodations(examId: string, rows: { candidateId: string; extraTimeMinutes?: number; restBreakMinutes?: number }[]): Promise<number>;
}

export interface RosterRepo {
  /** Every registration of the exam: candidate id → placement (for the seat check). */
  placements(examId: string): Promise<Map<string, Placement>>;
  /** Upserts candidates and registrations; answers how many were new. */
  import(examId: string, rows: RosterWrite[], now: number): Promise<{ created: number; updated: number }>;
}

export interface ExamSessionRepo {
  /** Throws UniqueViolation('one_active_session_per_candidate' | 'one_attempt_per_exam') when refused. */
  insert(rec: SessionRecord, now: number): Promise<void>;
  /** The session (of `candidateId` when given). */
  get(attemptId: string, candidateId?: string): Promise<SessionRecord | undefined>;
  /**
   * The session, locked for the rest of the unit of work (PostgreSQL: SELECT … FOR UPDATE; SQLite:
   * the whole database is locked by BEGIN IMMEDIATE). Only meaningful inside `Database.tx`.
   */
  getForUpdate(attemptId: string, candidateId?: string): Promise<SessionRecord | undefined>;
  /** Throws UniqueViolation('one_active_session_per_candidate') when the change would make two active. */
  update(rec: SessionRecord, now: number): Promise<void>;
  listForCandidate(candidateId: string): Promise<SessionRecord[]>;
  listByStatus(status: 'active' | 'paused'): Promise<SessionRecord[]>;
  /** Sessions of a status, `limit` at a time in attempt-id order after `after` (a full scan in pages, on an index). */
  listByStatusPage(status: 'active' | 'paused', after: string | null, limit: number): Promise<SessionRecord[]>;
  /**
   * Sessions for staff views, with the candidate's name: scoped to `places` in the query, then at
   * most `limit`, ordered by room, seat, candidate.
   */
  listForStaff(filter: StaffSessionFilter & { places: PlaceFilter; limit: number }): Promise<StaffSessionRecord[]>;
  countActive(candidateId: string): Promise<number>;
  /** How many sessions there are in each status (for metrics). */
  countByStatus(): Promise<Record<string, number>>;
  recordPresence(batch: PresenceFlush[]): Promise<void>;
  /**
   * With the read cache across processes only: the copy held in memory, NOT checked against its
   * stamp, with what it was read under. A caller acts on it only once a check of that stamp made
   * atomically with its own step has passed (Presence.advanceIfCurrent), and reads it with `get`
   * otherwise.
   */
  held?(attemptId: string, candidateId?: string): { rec: SessionRecord; check: CopyCheck } | undefined;
}

export interface AnswerRepo {
  /**
   * Stores a batch in one transaction (group commit: one fsync). Each write applies only while its
   * session is active, unlocked and has exam time left at `write.at`, and only over a lower clientSeq.
   */
  saveBatch(batch: AnswerWrite[]): Promise<AnswerWriteResult[]>;
  list(attemptId: string): Promise<StoredAnswerRecord[]>;
  /**
   * An offline bundle's answers (README "Offline submission"), whatever the session's state (the
   * service decides that under the row lock): each only over a lower clientSeq. Answers how many
   * were stored.
   */
  mergeOffline(attemptId: string, rows: { questionId: string; valueJson: string; clientSeq: number; at: number }[]): Promise<number>;
  stats(attemptId: string): Promise<{ count: number; lastSavedAt: number | null }>;
}

export interface AuditRepo {
  append(entries: AuditEntry[]): Promise<void>;
}

export interface AlertRepo {
  /**
   * Raises an alert, coalesced: while an unacknowledged alert of the same kind for the same attempt
   * exists, it adds `a.count` (default 1) to that one's count, moves its `lastAt` to `a.at` (if
   * later) and takes `a`'s message and detail; otherwise it stores a new one (id: the one given, or
   * a new one). Atomic whatever the concurrency (SQLite and PostgreSQL: an upsert on the partial
   * unique index over (attempt_id, kind) WHERE acknowledged_at IS NULL). Alerts without an attempt
   * are never coalesced. Answers the id of the alert that holds it and its count now.
   */
  raise(a: AlertInput): Promise<{ id: string; count: number }>;
  /**
   * Newest first by (at, id), scoped before the limit: only alerts placed in `places` (unplaced
   * ones only for `{ all: true }`), strictly older than `before` when given.
   */
  list(filter: { attemptId?: string; state: 'open' | 'acknowledged' | 'all'; places: PlaceFilter; before?: { at: number; id: string }; limit: number }): Promise<AlertRecord[]>;
  get(id: string): Promise<AlertRecord | undefined>;
  /** False when it was acknowledged already (or does not exist). */
  ack(id: string, by: string, now: number): Promise<boolean>;
  openCounts(): Promise<Map<string, number>>;
}

export interface InstructionRepo {
  add(i: NewInstruction): Promise<void>;
  /** Unacknowledged instructions for the session's device of this generation (older devices' are never delivered). */
  pending(attemptId: string, deviceGeneration: number): Promise<InstructionRecord[]>;
  markDelivered(attemptId: string, ids: string[], now: number): Promise<void>;
  ack(attemptId: string, deviceGeneration: number, ids: string[], now: number): Promise<number>;
  list(attemptId: string): Promise<InstructionStatusRecord[]>;
  attemptsWithPending(): Promise<string[]>;
}

export interface SettingsRepo {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown, by: string, now: number): Promise<void>;
}

export interface PlacesRepo {
  listCenters(): Promise<CenterRecord[]>;
  getCenter(id: string): Promise<CenterRecord | undefined>;
  centerNameTaken(name: string, exceptId: string | null): Promise<boolean>;
  createCenter(c: { id: string; name: string; address: string; timeZone?: string; locale?: string }, now: number): Promise<void>;
  updateCenter(id: string, patch: { name?: string; address?: string; timeZone?: string; locale?: string }): Promise<boolean>;
  listRooms(centerId: string): Promise<RoomRecord[]>;
  allRooms(): Promise<RoomRecord[]>;
  getRoom(id: string): Promise<RoomRecord | undefined>;
  roomNameTaken(centerId: string, name: string, exceptId: string | null): Promise<boolean>;
  createRoom(r: { id: string; centerId: string; name: string; capacity: number }, now: number): Promise<void>;
  updateRoom(id: string, patch: { name?: string; capacity?: number }): Promise<boolean>;
  /** What still uses the center (rooms, registrations, sessions) or room. */
  usage(kind: 'center' | 'room', id: string): Promise<InUse>;
  /** Deletes it and its staff assignments; answers how many assignments went with it. */
  delete(kind: 'center' | 'room', id: string): Promise<number>;
}

export interface ReviewRepo {
  /** Everything an archive is built from (call inside a unit of work for one consistent read). */
  snapshot(attemptId: string): Promise<AttemptSnapshot | undefined>;
  /** Where a session sits (for staff scoping) and its status. */
  placement(attemptId: string): Promise<{ centerId: string | null; roomId: string | null; status: SessionRecord['state']['status'] } | undefined>;
  /** The archive with its seal (null when none is stored). */
  getArchive(attemptId: string): Promise<StoredArchive | undefined>;
  /**
   * Inserts the archive and its seal together, unless an archive exists (sealing is once only);
   * true when this call inserted them. Both tables are append-only: the database refuses UPDATE and
   * DELETE on them (triggers, as for the audit trail).
   */
  insertArchive(a: StoredArchive & { seal: NonNullable<StoredArchive['seal']> }): Promise<boolean>;
  /** Attempts in a final state without an archive, by attempt id, after `afterAttemptId`. */
  unsealedFinalAttempts(limit: number, afterAttemptId?: string): Promise<string[]>;
  listSessions(filter: ReviewListFilter): Promise<{ rows: ReviewListRow[]; total: number }>;
}

/** The hall: attendance, ID checks, progress, the incident log, check waivers, room-action deliveries. */
export interface RoomOpsRepo {
  /**
   * Registered candidates (of open exams, or of `examId` whatever its status) placed in `places`,
   * with their sign-in, attempt and ID check; at most `limit`, ordered by room, seat, candidate.
   */
  attendance(filter: AttendanceFilter): Promise<AttendanceRecord[]>;
  /** Marks (or with null clears) "ID checked" for a registration. */
  setIdCheck(examId: string, candidateId: string, checked: { at: number; by: string } | null): Promise<void>;
  /** Answers saved per attempt (count and latest save), for the attempts given. */
  answerStats(attemptIds: string[]): Promise<Map<string, { count: number; lastSavedAt: number | null }>>;
  /** Appends a note (the table is append-only: notes are never changed or removed). */
  addNote(n: NoteRecord): Promise<void>;
  /** Notes placed in `places`, oldest first, at most `limit`. */
  notes(filter: NoteFilter): Promise<NoteRecord[]>;
  /** Appends a waiver (append-only). */
  addWaiver(w: WaiverRecord): Promise<void>;
  /** The candidate's waivers for the exam, oldest first. */
  waivers(examId: string, candidateId: string): Promise<WaiverRecord[]>;
  /** How the instructions of one whole-room action were delivered (only those to sessions now in `roomId`). */
  batchDelivery(batchId: string, roomId: string): Promise<BatchDelivery>;
}

export type { DeleteOutcome };

/** One uploaded offline bundle (the archive's record of it; a re-upload of the same file is found by its hash). */
export interface OfflineBundleRecord {
  id: string;
  attemptId: string;
  sha256: string;
  devicePublicKey: string;
  uploadedBy: string;
  receivedAt: number;
  /** Device clock. */
  exportedAt: number;
  answers: number;
  applied: number;
  submitted: boolean;
}

export interface OfflineBundleRepo {
  /** Records a bundle; false (and nothing stored) if this attempt already has one with this hash. */
  insert(b: OfflineBundleRecord): Promise<boolean>;
  find(attemptId: string, sha256: string): Promise<OfflineBundleRecord | undefined>;
  /** Oldest first. */
  list(attemptId: string): Promise<OfflineBundleRecord[]>;
}
