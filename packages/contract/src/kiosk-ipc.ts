import { z } from 'zod';
import { Id, IsoDateTime, Slug } from './common.ts';
import { ErrorCode } from './errors.ts';
import { AnswerValue, CandidateLoginRequest, Instruction, SessionStatus } from './sessions.ts';
import { CandidateExamView, ExamCover } from './staff.ts';
import { OfflineAction } from './offline.ts';
import { MyWaiverResponse } from './room-ops.ts';

/**
 * The kiosk's one IPC interface (DESIGN.md "kiosk/main"): the calls the renderer may make, and
 * the two things main pushes to it. Electron main implements the calls with @invigil/agent, the
 * preload exposes them as named functions only, and both sides validate with these schemas.
 */

/** Errors the agent adds to the server's codes (things only a kiosk can run into). */
export const KioskOnlyErrorCode = z.enum([
  'NOT_LOGGED_IN',
  'NO_SESSION',
  'OFFLINE',
  'NOT_SYNCED',
  'RECOVERY_FAILED',
  'UNKNOWN_CALL',
  /** No server address is configured on this kiosk yet. */
  'NOT_CONFIGURED',
  /** The call needs a staff code first (authorizeStaff): changing the exam server. */
  'STAFF_CODE_REQUIRED',
  /** The exam is held (offline past the pause threshold): no answer is taken until it continues. */
  'EXAM_HELD',
]);
export const KioskErrorCode = z.union([ErrorCode, KioskOnlyErrorCode]);
export type KioskErrorCode = z.infer<typeof KioskErrorCode>;

export const KioskError = z.object({ code: KioskErrorCode, message: z.string() });
export type KioskError = z.infer<typeof KioskError>;

/** Every call answers with this envelope (errors do not survive Electron IPC as classes). */
export function kioskResult<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), data }), z.object({ ok: z.literal(false), error: KioskError })]);
}
export type KioskResult<T> = { ok: true; data: T } | { ok: false; error: KioskError };

/** What the kiosk is doing, from the candidate's point of view. */
export const KioskPhase = z.enum([
  'idle', // nobody signed in
  'logged-in', // signed in, no attempt running on this kiosk
  'recovering', // reviving an unfinished attempt after a crash, a restart or a network cut
  'in-exam',
  'finished', // submitted, time up, expired or terminated
  'needs-login', // the login token is gone (expired or revoked): sign in again to continue
  'blocked', // recovery impossible without staff (wrong token, device mismatch, locked)
  'moved', // a proctor moved the exam to another desk: this desk shows where to go, then closes
]);
export type KioskPhase = z.infer<typeof KioskPhase>;

export const KioskState = z.object({
  phase: KioskPhase,
  /** Whether the server answered the last request (`unknown` before the first one). */
  connection: z.enum(['unknown', 'online', 'offline']),
  /** Local epoch ms when the connection was lost; null while online. */
  offlineSince: z.number().int().nullable(),
  examId: Id.nullable(),
  candidateId: z.string().nullable(),
  attemptId: Id.nullable(),
  session: z.object({
    status: SessionStatus.nullable(),
    isLocked: z.boolean(),
    /** Paused by staff: only staff can resume it. */
    pausedByStaff: z.boolean(),
  }),
  /** The exam clock, synced to the server's (the server's clock is the only clock). */
  clock: z.object({
    /** Whole seconds left at the last answer from the server. */
    timeRemaining: z.number().int().min(0).nullable(),
    /** Local epoch ms at which time runs out if the clock keeps running; null when it is stopped. */
    deadlineAt: z.number().nullable(),
    running: z.boolean(),
    /** server clock minus local clock, ms */
    offsetMs: z.number(),
  }),
  /**
   * Why the exam is held (no answers taken, the clock stopped): `offline` = the connection has been
   * lost longer than the server's pause threshold (the server charges nothing after it); it lifts on
   * reconnect (or when staff let the candidate continue offline: Agent.releaseHold). null = not held.
   */
  hold: z.enum(['offline']).nullable(),
  /** The exam's cover (title, candidate's name, planned extra time), once read from the server. */
  cover: ExamCover.nullable(),
  /** After a transfer on the OLD desk: the proctor's message; `done` once the new desk took the exam. */
  transfer: z.object({ message: z.string().nullable(), at: z.number().int(), done: z.boolean() }).nullable(),
  /** The candidate's display choices, kept for their attempt (forgotten at sign-out). */
  display: z.object({ textSize: z.number().int().min(0).max(3), highContrast: z.boolean() }),
  /** Questions the candidate flagged for review. */
  flagged: z.array(Slug),
  /** The raised hand: when it was raised, and when a proctor acknowledged it. */
  help: z.object({ requestedAt: z.number().int().nullable(), seenAt: z.number().int().nullable() }),
  saves: z.object({
    /** Answers saved on this device that the server has not acknowledged yet. */
    pending: z.number().int().min(0),
    lastSavedLocallyAt: z.number().int().nullable(),
    lastSyncedAt: z.number().int().nullable(),
  }),
  lastError: KioskError.nullable(),
  /** Offline staff codes (README "Offline staff codes"); absent on an agent without them. */
  offline: z
    .object({
      /** Restarted with an attempt and the server not reached yet: answers wait for the server or a staff "continue" code. */
      continueNeeded: z.boolean(),
      /** A staff "unlock" code lifted the lock on this kiosk while the server was unreachable. */
      unlockedOffline: z.boolean(),
      /** Whether this kiosk can check offline codes (it has the server's key) and write an offline bundle. */
      codesAvailable: z.boolean(),
      bundleAvailable: z.boolean(),
    })
    .optional(),
});
export type KioskState = z.infer<typeof KioskState>;

/** One-off things the UI shows (banners, dialogs), pushed beside the state. */
export const KioskEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('saved-locally'), questionId: Slug, clientSeq: z.number().int(), at: z.number().int() }),
  z.object({ type: z.literal('synced'), questionId: Slug, clientSeq: z.number().int(), at: z.number().int() }),
  z.object({ type: z.literal('answer-rejected'), questionId: Slug, clientSeq: z.number().int(), error: KioskError }),
  z.object({ type: z.literal('offline'), at: z.number().int() }),
  z.object({ type: z.literal('online'), at: z.number().int(), offlineMs: z.number().int().min(0) }),
  z.object({
    type: z.literal('recovered'),
    attemptId: Id,
    answersRestored: z.number().int().min(0),
    lastSaveTime: IsoDateTime.nullable(),
    /** Answers from this device's outbox sent again after the recovery. */
    pendingReplayed: z.number().int().min(0),
    status: SessionStatus,
  }),
  z.object({ type: z.literal('instruction'), instruction: Instruction }),
  z.object({ type: z.literal('message'), instructionId: Id, message: z.string() }),
  z.object({ type: z.literal('finished'), status: SessionStatus }),
  z.object({ type: z.literal('error'), error: KioskError }),
]);
export type KioskEvent = z.infer<typeof KioskEvent>;

export const KioskAnswer = z.object({
  questionId: Slug,
  value: AnswerValue,
  clientSeq: z.number().int(),
  /** true once the server acknowledged this value */
  synced: z.boolean(),
});
export type KioskAnswer = z.infer<typeof KioskAnswer>;

const Empty = z.object({}).strict();

/** Where this kiosk's exam server is, kept in the agent's data folder (set on the connect screen). */
export const KioskConfig = z.object({
  /** e.g. `http://exam-server:8080`; null until configured */
  serverUrl: z.string().nullable(),
  /** The exam center this kiosk belongs to (shown to the candidate and staff); optional. */
  centerId: z.string().nullable(),
  /**
   * The exam this desk sits (set by staff on the connect screen): the sign-in form starts with it,
   * so each candidate types only their candidate ID and access code. Absent or null: typed each time.
   */
  examId: z.string().nullable().optional(),
  /** Changing the server needs the staff code first (`authorizeStaff`): true on a provisioned kiosk. */
  staffCodeRequired: z.boolean().optional(),
});
export type KioskConfig = z.infer<typeof KioskConfig>;

export const KioskConfigureRequest = z
  .object({
    serverUrl: z.string().trim().min(1).max(2_000),
    centerId: Id.optional(),
    /** The exam this desk sits (prefilled on the sign-in form); omitted: none. */
    examId: Id.optional(),
  })
  .strict();
export type KioskConfigureRequest = z.infer<typeof KioskConfigureRequest>;

/** One pre-exam check: what it looked at, how it went, and a sentence a candidate can read. */
export const PreflightCheckId = z.enum(['server', 'clock', 'displays', 'processes', 'virtual-machine', 'storage']);
export const PreflightCheck = z.object({
  id: PreflightCheckId,
  label: z.string(),
  status: z.enum(['pass', 'warn', 'fail']),
  message: z.string(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;
export const PreflightReport = z.object({
  checks: z.array(PreflightCheck),
  /** false when any check failed: the exam should not start on this computer until it is fixed. */
  ok: z.boolean(),
  at: z.number().int(),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

/** The calls the renderer may make: name → request and response schema. Nothing else is exposed. */
export const KioskIpc = {
  login: { channel: 'kiosk:login', request: CandidateLoginRequest, response: KioskState },
  getExam: { channel: 'kiosk:getExam', request: Empty, response: CandidateExamView },
  startExam: { channel: 'kiosk:startExam', request: Empty, response: KioskState },
  getState: { channel: 'kiosk:getState', request: Empty, response: KioskState },
  /** The answers of the attempt running here (`attemptId`; null and none when no attempt runs). */
  getAnswers: { channel: 'kiosk:getAnswers', request: Empty, response: z.object({ attemptId: Id.nullable(), answers: z.array(KioskAnswer) }) },
  saveAnswer: {
    channel: 'kiosk:saveAnswer',
    request: z.object({ questionId: Slug, value: AnswerValue }),
    /** Resolves only once the answer is on this device's disk (fsync): the UI may say "saved locally". */
    response: z.object({ questionId: Slug, clientSeq: z.number().int(), savedLocallyAt: z.number().int() }),
  },
  submit: { channel: 'kiosk:submit', request: Empty, response: z.object({ status: SessionStatus }) },
  /** The connect screen: validates the URL, checks GET /healthz answers, then stores it. */
  configure: { channel: 'kiosk:configure', request: KioskConfigureRequest, response: KioskConfig.extend({ serverVersion: z.string().nullable() }) },
  getConfig: { channel: 'kiosk:getConfig', request: Empty, response: KioskConfig },
  /** The pre-exam checks, run now. */
  runChecks: { channel: 'kiosk:runChecks', request: Empty, response: PreflightReport },
  /** Signed in at a new desk: continue the attempt a proctor moved here with the one-time resume code. */
  claimTransfer: { channel: 'kiosk:claimTransfer', request: z.object({ resumeCode: z.string().trim().min(20).max(64) }).strict(), response: KioskState },
  /** Signs the candidate out of this kiosk (the next candidate's turn). Refused while an attempt runs here. */
  logout: { channel: 'kiosk:logout', request: Empty, response: KioskState },
  /** A challenge for an offline staff code (quit, unlock, continue): shown to the proctor, answered from the console. */
  offlineChallenge: {
    channel: 'kiosk:offlineChallenge',
    request: z.object({ action: OfflineAction }).strict(),
    response: z.object({ action: OfflineAction, challenge: z.string(), expiresAt: z.number().int() }),
  },
  /** The proctor's answer to an unlock or continue challenge (quit goes through the shell: requestQuitOffline). */
  offlineCode: { channel: 'kiosk:offlineCode', request: z.object({ action: z.enum(['unlock', 'continue']), code: z.string().trim().min(1).max(200) }).strict(), response: KioskState },
  /**
   * Staff, at the kiosk: the staff code (the same rate-limited check as quitting) allows one staff
   * action for a few minutes: `configure` (change the exam server).
   */
  authorizeStaff: {
    channel: 'kiosk:authorizeStaff',
    request: z.object({ unlockCode: z.string().min(1).max(256), action: z.enum(['configure']) }).strict(),
    response: z.object({ action: z.enum(['configure']), expiresAt: z.number().int() }),
  },
  /** The exam's cover page (title, the candidate's name) for the check screen; works before the start. */
  getCover: { channel: 'kiosk:getCover', request: Empty, response: ExamCover },
  /** Text size (0–3) and high contrast, kept for this candidate's attempt. */
  setDisplay: { channel: 'kiosk:setDisplay', request: z.object({ textSize: z.number().int().min(0).max(3), highContrast: z.boolean() }).strict(), response: KioskState },
  /** Flag a question for review (or take the flag off). */
  setFlag: { channel: 'kiosk:setFlag', request: z.object({ questionId: Slug, flagged: z.boolean() }).strict(), response: KioskState },
  /**
   * Failed pre-exam checks a proctor waived for the signed-in candidate (GET /exams/sessions/check-waiver):
   * the checks screen lets the candidate start when every failed check id is in `checks`.
   */
  checkWaiver: { channel: 'kiosk:checkWaiver', request: Empty, response: MyWaiverResponse },
  /** Raise hand: a help request to the room's proctors (an alert); the state says when one has seen it. */
  raiseHand: { channel: 'kiosk:raiseHand', request: Empty, response: KioskState },
} as const;
export type KioskCallName = keyof typeof KioskIpc;
export type KioskRequest<N extends KioskCallName> = z.infer<(typeof KioskIpc)[N]['request']>;
export type KioskResponse<N extends KioskCallName> = z.infer<(typeof KioskIpc)[N]['response']>;

/** Channels main pushes on (main → renderer); the renderer only listens. */
export const KioskPush = {
  state: { channel: 'kiosk:state', payload: KioskState },
  event: { channel: 'kiosk:event', payload: KioskEvent },
} as const;

// ---- Shell-only calls (apps/kiosk main answers them itself; the agent never sees them) ----

/**
 * Calls the Electron shell implements, not the agent: kept apart from KioskIpc so the agent's
 * handler stays exhaustive over KioskIpc. The preload exposes both on `window.kiosk`.
 */
export const KioskShellIpc = {
  /** Staff unlock code to quit the kiosk (checked against a scrypt hash; wrong codes are rate limited). */
  requestQuit: {
    channel: 'kiosk:requestQuit',
    request: z.object({ unlockCode: z.string().min(1).max(256) }).strict(),
    response: z.object({ quitting: z.literal(true) }),
  },
  /** Quit with an offline staff code: the proctor's answer to this kiosk's "quit" challenge (offlineChallenge). */
  requestQuitOffline: {
    channel: 'kiosk:requestQuitOffline',
    request: z.object({ code: z.string().trim().min(1).max(200) }).strict(),
    response: z.object({ quitting: z.literal(true) }),
  },
  /**
   * The network never came back: main asks staff where to save (a save dialog; a USB stick) and the
   * agent writes the attempt there, encrypted to the server. `submit`: the candidate is finished.
   */
  saveOfflineBundle: {
    channel: 'kiosk:saveOfflineBundle',
    request: z.object({ submit: z.boolean() }).strict(),
    response: z.object({ saved: z.boolean(), path: z.string().nullable(), answers: z.number().int() }),
  },
} as const;
export type KioskShellCallName = keyof typeof KioskShellIpc;
