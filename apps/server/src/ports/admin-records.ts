import type { Question } from '@invigil/contract';
import type { Assignment, ExamPolicyOverrides } from './types.ts';

/** Times are epoch milliseconds, as in the database. */

export interface CenterRecord {
  id: string;
  name: string;
  address: string;
  /** IANA time zone and BCP 47 locale the console shows this centre's dates and times in. */
  timeZone: string;
  locale: string;
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
  assignments: Assignment[];
}

export type ExamStatus = 'draft' | 'open' | 'closed';

export interface AdminExamRecord {
  id: string;
  code: string;
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
  /** Accommodations: planned extra time and rest breaks, in minutes. */
  extraTimeMinutes: number;
  restBreakMinutes: number;
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

export interface ExamPatch {
  title?: string;
  durationMinutes?: number;
  questions?: Question[];
  status?: ExamStatus;
  opensAt?: number | null;
  closesAt?: number | null;
  policy?: ExamPolicyOverrides;
}
