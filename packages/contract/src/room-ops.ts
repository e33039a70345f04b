import { z } from 'zod';
import { Id, IsoDateTime } from './common.ts';
import { RoomParams } from './admin.ts';
import { SessionStatus } from './sessions.ts';

/** The hall (issue H): attendance, progress, whole-room actions, the incident log, check waivers. */

const Reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(1_000);

/** Where a registered candidate is on exam day. */
export const AttendanceState = z.enum(['not_signed_in', 'signed_in', 'started', 'finished']);
export type AttendanceState = z.infer<typeof AttendanceState>;

export const AttendanceRow = z.object({
  examId: Id,
  examTitle: z.string(),
  candidateId: z.string(),
  name: z.string(),
  centerId: z.string().nullable(),
  centerName: z.string().nullable(),
  roomId: z.string().nullable(),
  roomName: z.string().nullable(),
  seat: z.string().nullable(),
  attendance: AttendanceState,
  /** First sign-in at a kiosk, if any. */
  signedInAt: IsoDateTime.nullable(),
  attemptId: z.string().nullable(),
  sessionStatus: SessionStatus.nullable(),
  startedAt: IsoDateTime.nullable(),
  /** Arrived (signed in or started) more than `lateAfterMinutes` after the sitting began. */
  late: z.boolean(),
  /** Not signed in although the sitting began more than `lateAfterMinutes` ago. */
  noShow: z.boolean(),
  idCheckedAt: IsoDateTime.nullable(),
  idCheckedBy: z.string().nullable(),
  /** The registration's planned accommodations (minutes), set by admins; apart from incident time and staff extensions. */
  accommodations: z.object({ plannedExtraMinutes: z.number().int(), restBreakMinutes: z.number().int() }).optional(),
});
export type AttendanceRow = z.infer<typeof AttendanceRow>;

export const AttendanceQuery = z.object({
  examId: Id.optional(),
  centerId: Id.optional(),
  roomId: Id.optional(),
});

export const AttendanceResponse = z.object({
  candidates: z.array(AttendanceRow),
  counts: z.object({
    registered: z.number().int(),
    not_signed_in: z.number().int(),
    signed_in: z.number().int(),
    started: z.number().int(),
    finished: z.number().int(),
    noShow: z.number().int(),
    late: z.number().int(),
    idChecked: z.number().int(),
  }),
  /** Names for the filters: the exams and rooms the list holds. */
  exams: z.array(z.object({ id: Id, title: z.string(), sittingStartedAt: IsoDateTime.nullable() })),
  rooms: z.array(z.object({ id: Id, name: z.string(), centerId: z.string().nullable(), centerName: z.string().nullable() })),
  lateAfterMinutes: z.number().int(),
  serverTime: z.number().int(),
  truncated: z.boolean(),
});
export type AttendanceResponse = z.infer<typeof AttendanceResponse>;

export const CandidateInExamParams = z.object({ examId: Id, candidateId: Id });
export const IdCheckRequest = z.object({ checked: z.boolean() });

/** Per tile: answered n of m, the last save, extra time granted (time left already includes it). */
export const SessionProgress = z.object({
  answered: z.number().int(),
  total: z.number().int(),
  lastSaveAt: IsoDateTime.nullable(),
});

// ---- whole-room actions -------------------------------------------------------------------------

/** Every whole-room action may be narrowed to one exam sitting in the room. */
const RoomScope = { examId: Id.optional() };
export const RoomPauseRequest = z.object({ ...RoomScope, reason: Reason });
export const RoomResumeRequest = z.object({ ...RoomScope, reason: Reason });
export const RoomLockRequest = z.object({ ...RoomScope, reason: Reason });
export const RoomMessageRequest = z.object({ ...RoomScope, message: z.string().trim().min(1).max(2_000) });
export const RoomExtendRequest = z.object({ ...RoomScope, reason: Reason, minutes: z.number().int().min(1).max(600) });

export const RoomActionResponse = z.object({
  action: z.enum(['pause', 'resume', 'lock', 'message', 'extend']),
  roomId: Id,
  /** Identifies the instructions this action queued (GET /proctor/room-actions/{batchId}). */
  batchId: Id,
  /** Sessions of the room that were not finished. */
  matched: z.number().int(),
  /** Sessions the action changed (or messaged). */
  affected: z.number().int(),
  /** Instructions queued for kiosks, each delivered with that kiosk's next heartbeat. */
  instructed: z.number().int(),
  skipped: z.array(z.object({ attemptId: Id, candidateId: z.string(), reason: z.string() })),
});
export type RoomActionResponse = z.infer<typeof RoomActionResponse>;

export const BatchParams = z.object({ batchId: Id });
export const RoomBatchParams = RoomParams.extend({ batchId: Id });
export const BatchDeliveryResponse = z.object({ batchId: Id, issued: z.number().int(), delivered: z.number().int(), acknowledged: z.number().int() });

export const BulkAckRequest = z.object({ alertIds: z.array(Id).min(1).max(500) });
export const BulkAckResponse = z.object({ acknowledged: z.number().int(), alreadyAcknowledged: z.number().int(), notFound: z.number().int() });

// ---- incident log -------------------------------------------------------------------------------

export const NoteRequest = z
  .object({
    text: z.string().trim().min(1).max(4_000),
    /** A note about one candidate's attempt… */
    attemptId: Id.optional(),
    /** …or about a room (optionally one exam sitting in it). */
    roomId: Id.optional(),
    examId: Id.optional(),
  })
  .refine((n) => (n.attemptId === undefined) !== (n.roomId === undefined), { message: 'name either attemptId (a candidate) or roomId (a room)' });

export const Note = z.object({
  id: Id,
  at: IsoDateTime,
  authorId: z.string(),
  authorName: z.string(),
  examId: z.string().nullable(),
  centerId: z.string().nullable(),
  roomId: z.string().nullable(),
  candidateId: z.string().nullable(),
  attemptId: z.string().nullable(),
  text: z.string(),
});
export type Note = z.infer<typeof Note>;
export const NotesQuery = z.object({ roomId: Id.optional(), examId: Id.optional(), attemptId: Id.optional() });
export const NotesResponse = z.object({ notes: z.array(Note) });

// ---- failed pre-exam checks ---------------------------------------------------------------------

/** Ids of the kiosk's pre-exam checks (packages/agent preflight). */
export const CheckId = z.enum(['server', 'clock', 'displays', 'processes', 'virtual-machine', 'storage']);
export const WaiverRequest = z.object({ reason: Reason, checks: z.array(CheckId).min(1).max(8) });
export const Waiver = z.object({
  id: Id,
  examId: Id,
  candidateId: z.string(),
  at: IsoDateTime,
  grantedBy: z.string(),
  grantedByName: z.string(),
  reason: z.string(),
  checks: z.array(z.string()),
});
export type Waiver = z.infer<typeof Waiver>;
/** The candidate's own view: which failed checks a proctor waived, so the kiosk may start anyway. */
export const MyWaiverResponse = z.object({ waived: z.boolean(), checks: z.array(z.string()), reason: z.string().nullable(), grantedAt: IsoDateTime.nullable() });

/** For the review: an attempt's notes, its room's notes, and its candidate's check waivers. */
export const IncidentsResponse = z.object({ notes: z.array(Note), roomNotes: z.array(Note), waivers: z.array(Waiver) });
