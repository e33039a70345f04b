import type { PlaceFilter } from './review-records.ts';
import type { SessionRecord } from './types.ts';

/** Times are epoch milliseconds, as in the database. */

/** One registered candidate of a room, with what the attendance list needs. */
export interface AttendanceRecord {
  examId: string;
  examTitle: string;
  examOpensAt: number | null;
  registrationId: string;
  candidateId: string;
  name: string;
  centerId: string | null;
  centerName: string | null;
  roomId: string | null;
  roomName: string | null;
  seat: string | null;
  /** The registration's planned accommodations (minutes), set by admins. */
  plannedExtraMinutes: number;
  restBreakMinutes: number;
  /** The newest live candidate login for this registration (null: not signed in). */
  signedInAt: number | null;
  attemptId: string | null;
  status: SessionRecord['state']['status'] | null;
  startedAt: number | null;
  idCheckedAt: number | null;
  idCheckedBy: string | null;
}

export interface AttendanceFilter {
  examId?: string;
  centerId?: string;
  roomId?: string;
  places: PlaceFilter;
  limit: number;
  /** For "signed in": logins live at this time. */
  now: number;
}

/** An incident-log note: about one candidate's attempt, or about a room. */
export interface NoteRecord {
  id: string;
  at: number;
  authorId: string;
  authorName: string;
  examId: string | null;
  centerId: string | null;
  roomId: string | null;
  candidateId: string | null;
  attemptId: string | null;
  text: string;
}

export interface NoteFilter {
  examId?: string;
  centerId?: string;
  roomId?: string;
  attemptId?: string;
  places: PlaceFilter;
  limit: number;
}

/** A proctor let a candidate start despite failed pre-exam checks. */
export interface WaiverRecord {
  id: string;
  examId: string;
  candidateId: string;
  at: number;
  grantedBy: string;
  grantedByName: string;
  reason: string;
  checks: string[];
}

/** What a whole-room action's instructions came to: issued, handed to a kiosk, acknowledged. */
export interface BatchDelivery {
  issued: number;
  delivered: number;
  acknowledged: number;
}
