import { z } from 'zod';
import { IsoDateTime } from './common.ts';
import { SessionStatus } from './sessions.ts';

/**
 * The live events staff receive on `GET /proctor/events` (Server-Sent Events). Each SSE message
 * has `event: message`, `id:` (the event's id on the bus; send it back as `Last-Event-ID` to be
 * sent what was missed) and `data:` one of these as JSON. The first message is `event: hello`
 * with `{serverTime}`.
 */
const Where = {
  at: IsoDateTime,
  attemptId: z.string().nullable().optional(),
  candidateId: z.string().nullable().optional(),
  examId: z.string().nullable().optional(),
  centerId: z.string().nullable().optional(),
  roomId: z.string().nullable().optional(),
};

export const SessionChangedEvent = z.object({
  type: z.enum(['session.changed', 'session.started']),
  ...Where,
  data: z.object({
    status: SessionStatus,
    isLocked: z.boolean(),
    timeRemaining: z.number().int(),
    pauseKind: z.string().nullable(),
    /** The staff action that caused it, and who. */
    action: z.string().optional(),
    by: z.string().optional(),
  }),
});

export const AlertRaisedEvent = z.object({
  type: z.literal('alert'),
  ...Where,
  /** `count` > 1: an open alert of this kind for this attempt was raised again (coalesced). */
  data: z.object({ id: z.string(), kind: z.string(), severity: z.enum(['info', 'warning', 'critical']), message: z.string(), count: z.number().int().min(1).optional() }),
});

export const AlertAcknowledgedEvent = z.object({
  type: z.literal('alert.acknowledged'),
  ...Where,
  data: z.object({ id: z.string(), by: z.string() }),
});

/** Heartbeats seen in one center/room since the last such event (about once a second). */
export const PresenceEvent = z.object({
  type: z.literal('presence'),
  ...Where,
  data: z.object({ seen: z.record(z.string(), IsoDateTime) }),
});

export const LiveEvent = z.discriminatedUnion('type', [SessionChangedEvent, AlertRaisedEvent, AlertAcknowledgedEvent, PresenceEvent]);
export type LiveEvent = z.infer<typeof LiveEvent>;

export const HelloEvent = z.object({ serverTime: z.number().int() });
