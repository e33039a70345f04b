import { z } from 'zod';
import { DevicePublicKey, Id, IsoDateTime } from './common.ts';
import { SessionStatus, StartSessionResponse } from './sessions.ts';

const Reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(1_000);

/** What a proctor can do to a live exam session. Every action is audited with its reason. */
export const ProctorAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('lock'), reason: Reason }),
  z.object({ action: z.literal('unlock'), reason: Reason }),
  z.object({ action: z.literal('pause'), reason: Reason }),
  z.object({ action: z.literal('resume'), reason: Reason }),
  z.object({ action: z.literal('extend'), reason: Reason, minutes: z.number().int().min(1).max(600) }),
  z.object({ action: z.literal('message'), reason: Reason.optional(), message: z.string().trim().min(1).max(2_000) }),
  z.object({ action: z.literal('force_submit'), reason: Reason }),
  z.object({ action: z.literal('terminate'), reason: Reason }),
]);
export type ProctorAction = z.infer<typeof ProctorAction>;

export const LiveSession = z.object({
  attemptId: Id,
  sessionId: Id,
  examId: Id,
  candidate: z.object({ id: z.string(), name: z.string() }),
  centerId: z.string().nullable(),
  roomId: z.string().nullable(),
  seat: z.string().nullable(),
  status: SessionStatus,
  isLocked: z.boolean(),
  lockReason: z.string().nullable(),
  pauseKind: z.string().nullable(),
  /** not finished, and heard from within the silence threshold (offlineAfterMs) */
  online: z.boolean(),
  /** The silence threshold of this session's exam: heartbeat interval × missed beats before pause. */
  offlineAfterMs: z.number().int(),
  lastHeartbeatAt: IsoDateTime.nullable(),
  secondsSinceHeartbeat: z.number().int().nullable(),
  timeRemaining: z.number().int(),
  incidentSeconds: z.number().int(),
  device: z.object({ fingerprint: z.string(), browser: z.string(), ip: z.string(), bound: z.boolean() }),
  openAlerts: z.number().int(),
  transferPending: z.boolean(),
  startedAt: IsoDateTime,
  /** Answered n of m and the last save (issue H). */
  progress: z.object({ answered: z.number().int(), total: z.number().int(), lastSaveAt: IsoDateTime.nullable() }).optional(),
  /** Time granted beyond the exam's duration (planned extra time and staff extensions), in seconds; timeRemaining includes it. */
  extraSeconds: z.number().int().optional(),
  /**
   * The registration's planned accommodations (issue H 8), kept apart from incident time and staff
   * extensions: planned extra time and rest breaks in minutes, and the staff extensions in seconds
   * (extraSeconds minus the planned extra time).
   */
  accommodations: z.object({ plannedExtraMinutes: z.number().int(), restBreakMinutes: z.number().int(), extensionSeconds: z.number().int() }).optional(),
});
export type LiveSession = z.infer<typeof LiveSession>;

export const LiveSessionsQuery = z.object({
  examId: Id.optional(),
  centerId: Id.optional(),
  roomId: Id.optional(),
  status: SessionStatus.optional(),
  includeFinished: z.enum(['true', 'false']).optional(),
});

export const LiveSessionsResponse = z.object({
  sessions: z.array(LiveSession),
  counts: z.record(z.string(), z.number().int()),
  heartbeatIntervalMs: z.number().int(),
  /** The server's default; an exam may override it (each session carries its own offlineAfterMs). */
  missedHeartbeatsBeforePause: z.number().int(),
  serverTime: z.number().int(),
  /** True when the scope holds more sessions than one answer carries (5,000): narrow the filter. */
  truncated: z.boolean(),
});

export const Alert = z.object({
  id: Id,
  at: IsoDateTime,
  attemptId: z.string().nullable(),
  candidateId: z.string().nullable(),
  examId: z.string().nullable(),
  centerId: z.string().nullable(),
  roomId: z.string().nullable(),
  kind: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  acknowledgedAt: IsoDateTime.nullable(),
  acknowledgedBy: z.string().nullable(),
  /**
   * Alerts are coalesced: while one is open, the same kind for the same attempt adds to it.
   * `count` is how many times it was raised (≥ 1), `lastSeenAt` the latest (`at` is the first).
   */
  count: z.number().int().min(1),
  lastSeenAt: IsoDateTime,
});
export type Alert = z.infer<typeof Alert>;

/** A page boundary of the alerts list: `{atMs}.{alertId}` of the last alert of the previous page. */
export const AlertCursor = z
  .string()
  .max(260)
  .regex(/^\d{1,16}\.[^\s]{1,200}$/, 'not a cursor this server handed out')
  .transform((s) => {
    const dot = s.indexOf('.');
    return { at: Number(s.slice(0, dot)), id: s.slice(dot + 1) };
  });

export const AlertsQuery = z.object({
  state: z.enum(['open', 'acknowledged', 'all']).optional(),
  attemptId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** The previous page's `nextCursor`: alerts older than its last one. */
  cursor: AlertCursor.optional(),
});
export const AlertsResponse = z.object({
  /** Newest first (by when each was first raised), only alerts in the caller's scope. */
  alerts: z.array(Alert),
  /** Pass as `cursor` for the next (older) page; null when this is the last. */
  nextCursor: z.string().nullable(),
});

export const TransferRequest = z.object({
  reason: Reason,
  /** Where the candidate moves to (optional; shown to staff). */
  roomId: Id.optional(),
  seat: z.string().trim().min(1).max(50).optional(),
});

export const TransferResponse = z.object({
  /** One-time code, read out to the candidate: 128 bits, Crockford base32 in groups of four. */
  resumeCode: z.string(),
  expiresAt: IsoDateTime,
});

/** The candidate, signed in on the new desk's kiosk, continues the attempt with a new device key. */
export const ClaimTransferRequest = z.object({
  resumeCode: z.string().trim().min(20).max(64),
  devicePublicKey: DevicePublicKey,
  deviceFingerprint: z.string().min(1).max(512).optional(),
  browserInfo: z.string().max(1_000).optional(),
});
export const ClaimTransferResponse = StartSessionResponse.extend({ answersRestored: z.number().int() });

export const InstructionStatus = z.object({
  id: Id,
  type: z.string(),
  message: z.string().nullable(),
  issuedAt: IsoDateTime,
  deliveredAt: IsoDateTime.nullable(),
  ackedAt: IsoDateTime.nullable(),
});
export const InstructionsResponse = z.object({ instructions: z.array(InstructionStatus) });
