import {
  AttemptParams,
  AttendanceQuery,
  AttendanceResponse,
  AttendanceRow,
  BatchDeliveryResponse,
  BulkAckRequest,
  BulkAckResponse,
  CandidateInExamParams,
  IdCheckRequest,
  IncidentsResponse,
  MyWaiverResponse,
  Note,
  NoteRequest,
  NotesQuery,
  NotesResponse,
  RoomActionResponse,
  RoomExtendRequest,
  RoomLockRequest,
  RoomMessageRequest,
  RoomBatchParams,
  RoomParams,
  RoomPauseRequest,
  RoomResumeRequest,
  Waiver,
  WaiverRequest,
} from '@invigil/contract';
import { z } from 'zod';
import { candidateRef } from '../http/client-info.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { AlertsService } from './alerts-service.ts';
import type { AttendanceService } from './attendance-service.ts';
import type { NotesService } from './notes-service.ts';
import type { RoomActionKind, RoomActionsService } from './room-actions-service.ts';
import type { WaiverService } from './waiver-service.ts';

export interface RoomOpsServices {
  attendance: AttendanceService;
  roomActions: RoomActionsService;
  notes: NotesService;
  waivers: WaiverService;
  alerts: AlertsService;
}

const staff = ['admin', 'proctor'] as const;

/** The hall (issue H): attendance, ID checks, whole-room actions, bulk acknowledge, the incident log, check waivers. */
export function roomOpsRoutes(r: RouteRegistry, s: RoomOpsServices): void {
  r.add(
    { method: 'get', path: '/proctor/attendance', tag: 'proctor', summary: 'Every registered candidate of the rooms in your scope: not signed in, signed in, started, finished; late, no-show, ID checked', roles: staff, query: AttendanceQuery, responses: { 200: AttendanceResponse } },
    async ({ c, principal, query }) => c.json(await s.attendance.attendance(principal, query as z.infer<typeof AttendanceQuery>)),
  );
  r.add(
    {
      method: 'post',
      path: '/proctor/exams/:examId/candidates/:candidateId/id-check',
      tag: 'proctor',
      summary: 'Mark (or clear) “ID checked” for a candidate seated in your scope (audited)',
      roles: staff,
      params: CandidateInExamParams,
      body: IdCheckRequest,
      responses: { 200: AttendanceRow },
      errors: [404],
    },
    async ({ c, params, body, principal }) => c.json(await s.attendance.idCheck(principal, params.examId, params.candidateId, body.checked, c.get('ip'))),
  );

  const roomAction = (kind: RoomActionKind, body: z.ZodType, summary: string) =>
    r.add(
      { method: 'post', path: `/proctor/rooms/:roomId/${kind}`, tag: 'proctor', summary, roles: staff, params: RoomParams, body, responses: { 200: RoomActionResponse }, errors: [404] },
      async ({ c, params, body: b, principal }) => c.json(await s.roomActions.act(principal, params.roomId, kind, b as never, c.get('ip'))),
    );
  roomAction('pause', RoomPauseRequest, 'Pause every running session of the room (fire alarm: every clock stops); audited, delivered to every kiosk');
  roomAction('resume', RoomResumeRequest, 'Resume every session of the room that staff paused; audited, delivered to every kiosk');
  roomAction('message', RoomMessageRequest, 'Send a message to every kiosk of the room; audited');
  roomAction('extend', RoomExtendRequest, 'Extend every unfinished session of the room by some minutes; audited, each kiosk is told');
  roomAction('lock', RoomLockRequest, 'Lock every unfinished session of the room; audited, delivered to every kiosk');
  r.add(
    { method: 'get', path: '/proctor/rooms/:roomId/actions/:batchId', tag: 'proctor', summary: 'How a whole-room action was delivered: instructions issued, handed to kiosks, acknowledged', roles: staff, params: RoomBatchParams, responses: { 200: BatchDeliveryResponse }, errors: [404] },
    async ({ c, params, principal }) => c.json(await s.roomActions.delivery(principal, params.roomId, params.batchId)),
  );
  r.add(
    { method: 'post', path: '/proctor/alerts/ack', tag: 'proctor', summary: 'Acknowledge many alerts at once (each audited); alerts outside your scope count as not found', roles: staff, body: BulkAckRequest, responses: { 200: BulkAckResponse } },
    async ({ c, body, principal }) => c.json(await s.alerts.ackMany(principal, body.alertIds, c.get('ip'))),
  );

  r.add(
    { method: 'post', path: '/proctor/notes', tag: 'proctor', summary: 'Add a note to the incident log: about a candidate (attemptId) or a room (roomId); append-only, with time and author', roles: staff, body: NoteRequest, responses: { 201: Note }, errors: [404] },
    async ({ c, body, principal }) => c.json(await s.notes.add(principal, body, c.get('ip')), 201),
  );
  r.add(
    { method: 'get', path: '/proctor/notes', tag: 'proctor', summary: 'The incident log in your scope (by room, exam or attempt), oldest first', roles: staff, query: NotesQuery, responses: { 200: NotesResponse }, errors: [404] },
    async ({ c, principal, query }) => c.json(await s.notes.list(principal, query as z.infer<typeof NotesQuery>)),
  );

  r.add(
    {
      method: 'get',
      path: '/review/sessions/:attemptId/incidents',
      tag: 'review',
      summary: "The incident log of an attempt: its notes, its room's notes, and the check waivers its candidate was granted",
      roles: staff,
      params: AttemptParams,
      responses: { 200: IncidentsResponse },
      errors: [404],
    },
    async ({ c, params, principal }) => c.json(await s.notes.incidents(principal, params.attemptId)),
  );
  r.add(
    {
      method: 'post',
      path: '/proctor/exams/:examId/candidates/:candidateId/check-waiver',
      tag: 'proctor',
      summary: 'Let a candidate start despite failed pre-exam checks, with a reason (audited, shown in review; the kiosk learns it)',
      roles: staff,
      params: CandidateInExamParams,
      body: WaiverRequest,
      responses: { 201: Waiver },
      errors: [404],
    },
    async ({ c, params, body, principal }) => c.json(await s.waivers.grant(principal, params.examId, params.candidateId, body, c.get('ip')), 201),
  );
  r.add(
    { method: 'get', path: '/proctor/exams/:examId/candidates/:candidateId/check-waivers', tag: 'proctor', summary: 'The check waivers granted to a candidate', roles: staff, params: CandidateInExamParams, responses: { 200: z.object({ waivers: z.array(Waiver) }) }, errors: [404] },
    async ({ c, params, principal }) => c.json(await s.waivers.list(principal, params.examId, params.candidateId)),
  );
  r.add(
    { method: 'get', path: '/exams/sessions/check-waiver', tag: 'exam sessions', summary: 'For the kiosk: which failed pre-exam checks a proctor waived for you (then you may start anyway)', roles: ['candidate'], responses: { 200: MyWaiverResponse } },
    async ({ c, principal }) => c.json(await s.waivers.mine(candidateRef(c, principal))),
  );
}
