import type { Question } from '@invigil/contract';
import type { AuditEntry, ExamPolicyOverrides } from '../ports/types.ts';

/** Times are epoch milliseconds, as in the database. */

export interface CenterRecord {
  id: string;
  name: string;
  address: string;
  roomCount: number;
  createdAt: number;
}

export interface RoomRecord {
  id: string;
  centerId: string;
  name: string;
  capacity: number;
  createdAt: number;
}

export interface StaffAccountRecord {
  id: string;
  username: string;
  displayName: string;
  role: 'admin' | 'proctor';
  disabledAt: number | null;
  createdAt: number;
  passwordChangedAt: number;
  assignments: { centerId: string; roomId: string | null }[];
}

export type ExamStatus = 'draft' | 'open' | 'closed';

export interface AdminExamRecord {
  id: string;
  title: string;
  durationMinutes: number;
  questions: Question[];
  status: ExamStatus;
  opensAt: number | null;
  closesAt: number | null;
  policy: ExamPolicyOverrides;
  registrationCount: number;
  sessionCount: number;
  createdAt: number;
  updatedAt: number | null;
}

export interface RegistrationRecord {
  candidateId: string;
  name: string;
  centerId: string | null;
  centerName: string | null;
  roomId: string | null;
  roomName: string | null;
  seat: string | null;
  createdAt: number;
}

export interface Placement {
  centerId: string | null;
  roomId: string | null;
  seat: string | null;
}

/** A roster row ready to store; `placement` undefined leaves an existing registration's placement as it is. */
export interface RosterWrite {
  candidateId: string;
  name: string;
  accessCodeHash: string;
  placement?: Placement;
}

/** Why a delete was refused: what still uses the thing. */
export interface InUse {
  rooms?: number;
  registrations?: number;
  sessions?: number;
}

export type DeleteOutcome = { ok: true; assignmentsRemoved: number } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'in_use'; inUse: InUse };

/**
 * The admin module's port: domain operations on centers, rooms, staff accounts, exam settings and
 * registrations. Every method that changes something writes its audit entry in the same transaction.
 */
export interface AdminStore {
  /** Runs `fn` in one transaction (methods called inside join it). `fn` must be synchronous. */
  atomically<T>(fn: () => T): T;

  listCenters(): CenterRecord[];
  getCenter(id: string): CenterRecord | undefined;
  /** False when the name is taken. */
  createCenter(c: { id: string; name: string; address: string }, now: number, audit: AuditEntry): boolean;
  updateCenter(id: string, patch: { name?: string; address?: string }, audit: AuditEntry): 'ok' | 'not_found' | 'name_taken';
  /** Refused while rooms, registrations or sessions use it; the center's staff assignments go with it. */
  deleteCenter(id: string, audit: AuditEntry): DeleteOutcome;

  listRooms(centerId: string): RoomRecord[];
  allRooms(): RoomRecord[];
  getRoom(id: string): RoomRecord | undefined;
  createRoom(r: { id: string; centerId: string; name: string; capacity: number }, now: number, audit: AuditEntry): 'ok' | 'no_center' | 'name_taken';
  updateRoom(id: string, patch: { name?: string; capacity?: number }, audit: AuditEntry): 'ok' | 'not_found' | 'name_taken';
  /** Refused while registrations or sessions use it; the room's staff assignments go with it. */
  deleteRoom(id: string, audit: AuditEntry): DeleteOutcome;

  listStaff(): StaffAccountRecord[];
  getStaff(id: string): StaffAccountRecord | undefined;
  /** False when the username is taken (compared without regard to case). */
  createStaff(u: { id: string; username: string; displayName: string; role: 'admin' | 'proctor'; passwordHash: string }, now: number, audit: AuditEntry): boolean;
  updateStaff(id: string, patch: { role?: 'admin' | 'proctor'; displayName?: string; disabledAt?: number | null }, audit: AuditEntry): boolean;
  setStaffPassword(id: string, passwordHash: string, now: number, audit: AuditEntry): boolean;
  /** Enabled admins other than `exceptId`. */
  countOtherActiveAdmins(exceptId: string): number;
  replaceAssignments(staffId: string, assignments: { centerId: string; roomId: string | null }[], now: number, audit: AuditEntry): void;

  listExams(filter: { status?: ExamStatus; limit: number; offset: number }): { total: number; exams: AdminExamRecord[] };
  getExam(id: string): AdminExamRecord | undefined;
  /** `questions` is refused ('has_sessions') once any session of the exam exists. */
  updateExam(
    id: string,
    patch: { title?: string; durationMinutes?: number; questions?: Question[]; status?: ExamStatus; opensAt?: number | null; closesAt?: number | null; policy?: ExamPolicyOverrides },
    now: number,
    audit: AuditEntry,
  ): 'ok' | 'not_found' | 'has_sessions';

  /** Every registration of the exam: candidate id → placement (for roster checks). */
  examPlacements(examId: string): Map<string, Placement>;
  /** Upserts candidates and registrations in one transaction; answers how many were new. */
  importRoster(examId: string, rows: RosterWrite[], now: number, audit: (created: number) => AuditEntry): { created: number; updated: number };
  listRegistrations(examId: string, filter: { centerId?: string; roomId?: string; limit: number; offset: number }): { total: number; registrations: RegistrationRecord[] };
  getRegistration(examId: string, candidateId: string): RegistrationRecord | undefined;
  /** The candidate already in that seat (same exam, same center and room), if any other than `candidateId`. */
  seatTakenBy(examId: string, candidateId: string, p: Placement): string | undefined;
  placeRegistration(examId: string, candidateId: string, p: Placement, audit: AuditEntry): boolean;
}
