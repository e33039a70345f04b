import { z } from 'zod';
import { Id, IsoDateTime, Slug } from './common.ts';
import { Question, StaffRole } from './staff.ts';

/**
 * Admin API: centers, rooms, staff accounts, exam settings, roster import and seating.
 * Request bodies are strict: an unknown field is a 400, so a typo never silently does nothing.
 */

const Name = z.string().trim().min(1).max(200);
const Count = z.number().int().min(0);

/** A PATCH body must change something. */
function someField<T extends z.ZodObject>(schema: T) {
  return schema.refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'give at least one field to change' });
}

function uniqueQuestionIds(questions: { id: string }[] | undefined, ctx: z.RefinementCtx): void {
  if (!questions) return;
  const ids = questions.map((q) => q.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['questions'], message: 'question ids must be unique' });
}

// ---- Paging ----

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
});

// ---- Centers and rooms ----

export const CenterParams = z.object({ centerId: Id });
export const RoomParams = z.object({ roomId: Id });

/** An IANA time zone the runtime knows ("Europe/Berlin", "UTC"). */
export const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'not a known IANA time zone (e.g. Europe/Berlin)');

/** A BCP 47 locale ("de-DE", "en-GB"). */
export const Locale = z
  .string()
  .trim()
  .min(2)
  .max(35)
  .refine((l) => {
    try {
      return Intl.getCanonicalLocales(l).length === 1;
    } catch {
      return false;
    }
  }, 'not a BCP 47 locale (e.g. de-DE)');

export const Center = z.object({
  id: Id,
  name: z.string(),
  address: z.string(),
  /** Dates and times of this centre are shown in its time zone and locale (24-hour where that is the custom). */
  timeZone: z.string(),
  locale: z.string(),
  roomCount: Count,
  createdAt: IsoDateTime,
});
export type Center = z.infer<typeof Center>;
export const CenterList = z.object({ centers: z.array(Center) });

export const CreateCenterRequest = z.strictObject({
  name: Name,
  address: z.string().trim().max(1_000).optional(),
  /** Default UTC / en-GB. */
  timeZone: TimeZone.optional(),
  locale: Locale.optional(),
});
export type CreateCenterRequest = z.infer<typeof CreateCenterRequest>;

export const UpdateCenterRequest = someField(
  z.strictObject({
    name: Name.optional(),
    address: z.string().trim().max(1_000).optional(),
    timeZone: TimeZone.optional(),
    locale: Locale.optional(),
  }),
);
export type UpdateCenterRequest = z.infer<typeof UpdateCenterRequest>;

export const Room = z.object({
  id: Id,
  centerId: Id,
  name: z.string(),
  capacity: Count,
  createdAt: IsoDateTime,
});
export type Room = z.infer<typeof Room>;
export const RoomList = z.object({ rooms: z.array(Room) });

export const CreateRoomRequest = z.strictObject({
  name: Name,
  capacity: z.number().int().min(0).max(100_000).optional(),
});
export type CreateRoomRequest = z.infer<typeof CreateRoomRequest>;

export const UpdateRoomRequest = someField(
  z.strictObject({
    name: Name.optional(),
    capacity: z.number().int().min(0).max(100_000).optional(),
  }),
);
export type UpdateRoomRequest = z.infer<typeof UpdateRoomRequest>;

// ---- Staff accounts ----

export const StaffParams = z.object({ staffId: Id });

export const Username = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.@-]+$/, 'only letters, digits and _ . @ -');

/** Passwords admins set: at least 12 characters (the login accepts up to 500). */
export const NewPassword = z.string().min(12, 'at least 12 characters').max(500);
const DisplayName = z.string().trim().max(200);

/** A proctor's assignment: a whole center (roomId null) or one room of it. */
export const StaffAssignment = z.object({ centerId: Id, roomId: Id.nullable() });
export type StaffAssignment = z.infer<typeof StaffAssignment>;

/** A staff account as admins see it: never a password hash. */
export const StaffAccount = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  role: StaffRole,
  disabled: z.boolean(),
  createdAt: IsoDateTime,
  passwordChangedAt: IsoDateTime,
  assignments: z.array(StaffAssignment),
});
export type StaffAccount = z.infer<typeof StaffAccount>;
export const StaffList = z.object({ staff: z.array(StaffAccount) });

export const CreateStaffRequest = z.strictObject({
  username: Username,
  password: NewPassword,
  role: StaffRole,
  displayName: DisplayName.optional(),
});
export type CreateStaffRequest = z.infer<typeof CreateStaffRequest>;

/** A role change or disabling ends every login session of the account. */
export const UpdateStaffRequest = someField(
  z.strictObject({
    role: StaffRole.optional(),
    displayName: DisplayName.optional(),
    disabled: z.boolean().optional(),
  }),
);
export type UpdateStaffRequest = z.infer<typeof UpdateStaffRequest>;

export const UpdateStaffResponse = z.object({ staff: StaffAccount, revokedSessions: Count });

/** An admin sets a new password; every login session of the account ends. */
export const ResetPasswordRequest = z.strictObject({ password: NewPassword });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;
export const ResetPasswordResponse = z.object({ success: z.literal(true), revokedSessions: Count });

/** Replaces all of the account's assignments. */
export const SetAssignmentsRequest = z.strictObject({
  assignments: z.array(z.strictObject({ centerId: Id, roomId: Id.nullable().optional() })).max(1_000),
});
export type SetAssignmentsRequest = z.infer<typeof SetAssignmentsRequest>;

// ---- Exams ----

export const ExamStatus = z.enum(['draft', 'open', 'closed']);
export type ExamStatus = z.infer<typeof ExamStatus>;

const policyFields = {
  heartbeatIntervalMs: z.number().int().min(1_000).max(300_000).optional(),
  missedHeartbeatsBeforePause: z.number().int().min(1).max(100).optional(),
  maxRecoveryAttempts: z.number().int().min(1).max(100).optional(),
  /** From one minute to 30 days. */
  pausedSessionTtlMs: z.number().int().min(60_000).max(30 * 86_400_000).optional(),
};

/** Per-exam overrides of the server's session policy; an absent field uses the server's setting. PUT replaces them all. */
export const ExamPolicyRequest = z.strictObject(policyFields);
export type ExamPolicyRequest = z.infer<typeof ExamPolicyRequest>;
export const ExamPolicy = z.object(policyFields);

/** When candidates may start: either end may be open (null). */
export const ExamWindowRequest = z
  .strictObject({ opensAt: IsoDateTime.nullable(), closesAt: IsoDateTime.nullable() })
  .refine((w) => w.opensAt === null || w.closesAt === null || Date.parse(w.closesAt) > Date.parse(w.opensAt), {
    path: ['closesAt'],
    message: 'closesAt must be after opensAt',
  });
export type ExamWindowRequest = z.infer<typeof ExamWindowRequest>;

export const UpdateExamRequest = someField(
  z.strictObject({
    title: z.string().trim().min(1).max(300).optional(),
    durationMinutes: z.number().int().min(1).max(24 * 60).optional(),
    /** Refused (409) once any session of the exam exists. */
    questions: z.array(Question).max(1_000).optional(),
  }),
).superRefine((e, ctx) => uniqueQuestionIds(e.questions, ctx));
export type UpdateExamRequest = z.infer<typeof UpdateExamRequest>;

export const AdminExamSummary = z.object({
  id: Id,
  /** The short code candidates type at the kiosk instead of the id. */
  code: z.string(),
  title: z.string(),
  durationMinutes: z.number().int(),
  status: ExamStatus,
  opensAt: IsoDateTime.nullable(),
  closesAt: IsoDateTime.nullable(),
  policy: ExamPolicy,
  questionCount: Count,
  registrationCount: Count,
  sessionCount: Count,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime.nullable(),
});
export type AdminExamSummary = z.infer<typeof AdminExamSummary>;

export const AdminExam = AdminExamSummary.extend({ questions: z.array(Question) });
export type AdminExam = z.infer<typeof AdminExam>;

/** `POST /admin/exams/{examId}/close?confirm=true`: close although sessions are running. */
export const CloseExamQuery = z.object({ confirm: z.enum(['true', 'false']).optional() });

export const AdminExamListQuery = PageQuery.extend({ status: ExamStatus.optional() });
export const AdminExamList = z.object({ total: Count, limit: Count, offset: Count, exams: z.array(AdminExamSummary) });

// ---- Roster import and seating ----

export const Seat = z.string().trim().min(1).max(50);

/** Whole minutes, 0 to 24 hours; a CSV cell's text is read as a number. */
const Minutes = z.coerce.number().int().min(0).max(24 * 60);

/** `POST /admin/exams/{examId}/roster?atomic=true|false&format=csv|json` (format defaults from Content-Type). */
export const RosterImportQuery = z.object({
  atomic: z.enum(['true', 'false']).optional(),
  format: z.enum(['csv', 'json']).optional(),
});

/**
 * One roster row (a CSV line or an element of the JSON `candidates` array).
 * `center` and `room` are ids or names (a room alone implies its center). A row that gives any of
 * center, room, seat sets the whole placement (the ones not given, empty or null are cleared); a row
 * that gives none of them leaves an existing registration's placement as it is.
 */
export const RosterRow = z.strictObject({
  candidateId: Slug,
  name: z.string().trim().min(1).max(300),
  /** Absent or empty: a new registration gets a generated code (answered once in `issuedCodes`); an existing one keeps its code. */
  accessCode: z.string().min(4).max(200).nullable().optional(),
  center: z.string().trim().max(200).nullable().optional(),
  room: z.string().trim().max(200).nullable().optional(),
  seat: z.string().trim().max(50).nullable().optional(),
  /** Accommodations in minutes (CSV columns extraTime, restBreak); empty or null = none; absent = unchanged. */
  extraTimeMinutes: Minutes.nullable().optional(),
  restBreakMinutes: Minutes.nullable().optional(),
});
export type RosterRow = z.infer<typeof RosterRow>;

/** The JSON form; rows are checked one by one so each bad one is reported with its index + 1. */
export const RosterJson = z.strictObject({ candidates: z.array(z.unknown()).max(100_000) });

export const RosterError = z.object({
  /** CSV: the physical line where the record starts (header = line 1). JSON: index + 1. */
  line: z.number().int().min(1),
  candidateId: z.string().optional(),
  field: z.string(),
  message: z.string(),
});
export type RosterError = z.infer<typeof RosterError>;

/** A generated access code, answered once (only its hash is stored), with what a login slip shows. */
export const IssuedCode = z.object({
  candidateId: z.string(),
  name: z.string(),
  accessCode: z.string(),
  centerName: z.string().nullable(),
  roomName: z.string().nullable(),
  seat: z.string().nullable(),
});
export type IssuedCode = z.infer<typeof IssuedCode>;

export const RosterReport = z.object({
  imported: Count,
  /** Codes the server generated for rows without one (shown this once), and the exam's code for the slips. */
  issuedCodes: z.array(IssuedCode).optional(),
  examCode: z.string().optional(),
  /** Rows without a code whose registration already had one: it is kept (re-issue it to get a new one). */
  keptCodes: Count.optional(),
  failed: Count,
  total: Count,
  /** Of the imported: new registrations and updated ones. */
  created: Count,
  updated: Count,
  atomic: z.boolean(),
  errors: z.array(RosterError),
  /** More errors than listed (the list stops at 1,000). */
  errorsTruncated: z.boolean().optional(),
});
export type RosterReport = z.infer<typeof RosterReport>;

export const RegistrationParams = z.object({ examId: Id, candidateId: Slug });

/** A registration as admins see it: never the access-code hash. */
export const AdminRegistration = z.object({
  candidateId: z.string(),
  name: z.string(),
  centerId: z.string().nullable(),
  centerName: z.string().nullable(),
  roomId: z.string().nullable(),
  roomName: z.string().nullable(),
  seat: z.string().nullable(),
  /** Accommodations (minutes): planned extra time, added to the allowed time at start (apart from incident time), and rest breaks. */
  extraTimeMinutes: Count,
  restBreakMinutes: Count,
  createdAt: IsoDateTime,
});
export type AdminRegistration = z.infer<typeof AdminRegistration>;

/** `POST /admin/exams/{examId}/registrations/{candidateId}/access-code`: a new code; the old one and every login made with it stop working. */
export const ReissuedCode = IssuedCode.extend({ examCode: z.string(), examTitle: z.string(), loginsRevoked: Count });
export type ReissuedCode = z.infer<typeof ReissuedCode>;

/** `PUT /admin/exams/{examId}/registrations/{candidateId}/accommodations`: before the candidate starts (409 ALREADY_STARTED after). */
export const AccommodationsRequest = z
  .strictObject({ extraTimeMinutes: z.number().int().min(0).max(24 * 60).optional(), restBreakMinutes: z.number().int().min(0).max(24 * 60).optional() })
  .refine((o) => o.extraTimeMinutes !== undefined || o.restBreakMinutes !== undefined, { message: 'give extraTimeMinutes or restBreakMinutes' });
export type AccommodationsRequest = z.infer<typeof AccommodationsRequest>;

export const RegistrationListQuery = PageQuery.extend({ centerId: Id.optional(), roomId: Id.optional() });
export const RegistrationList = z.object({ total: Count, limit: Count, offset: Count, registrations: z.array(AdminRegistration) });

/** Sets where a candidate sits; omitted fields are cleared. A room alone implies its center. */
export const PlaceRegistrationRequest = z.strictObject({
  centerId: Id.nullable().optional(),
  roomId: Id.nullable().optional(),
  seat: Seat.nullable().optional(),
});
export type PlaceRegistrationRequest = z.infer<typeof PlaceRegistrationRequest>;
