import {
  Alert,
  AlertsQuery,
  AlertsResponse,
  AttemptParams,
  ClaimTransferRequest,
  ClaimTransferResponse,
  Id,
  InstructionsResponse,
  LiveSession,
  LiveSessionsQuery,
  LiveSessionsResponse,
  ProctorAction,
  TransferRequest,
  TransferResponse,
} from '@invigil/contract';
import { z } from 'zod';
import { candidateRef } from '../http/client-info.ts';
import type { Lifecycle } from '../http/lifecycle.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { Invalidations } from '../ports/invalidation.ts';
import type { LiveEvents } from '../ports/live-events.ts';
import type { Principal } from '../ports/types.ts';
import { bearer } from '../http/route-registry.ts';
import type { ActionsService } from './actions-service.ts';
import type { AlertsService } from './alerts-service.ts';
import { liveStream } from './events-route.ts';
import type { RoomService } from './room-service.ts';
import type { SseFrames } from './sse-frames.ts';
import type { TransferService } from './transfer-service.ts';

export interface ProctoringServices {
  room: RoomService;
  actions: ActionsService;
  transfer: TransferService;
  alerts: AlertsService;
  events: LiveEvents;
  now: () => number;
  lifecycle: Lifecycle;
  invalidations: Invalidations;
  authenticate: (token: string) => Promise<Principal>;
  recheckMs: number;
  frames: SseFrames;
}

const staff = ['admin', 'proctor'] as const;

export function proctoringRoutes(r: RouteRegistry, s: ProctoringServices): void {
  r.add(
    { method: 'get', path: '/proctor/sessions', tag: 'proctor', summary: 'The live room: every session in your scope, with presence, time and alerts', roles: staff, query: LiveSessionsQuery, responses: { 200: LiveSessionsResponse } },
    async ({ c, principal, query }) => {
      const q = query as z.infer<typeof LiveSessionsQuery>;
      return c.json(await s.room.room(principal, { examId: q.examId, centerId: q.centerId, roomId: q.roomId, status: q.status, includeFinished: q.includeFinished === 'true' }));
    },
  );
  r.add(
    {
      method: 'post',
      path: '/proctor/sessions/:attemptId/actions',
      tag: 'proctor',
      summary: 'Lock, unlock, pause, resume, extend, message, force submit or terminate (audited; delivered to the kiosk)',
      roles: staff,
      params: AttemptParams,
      body: ProctorAction,
      responses: { 200: LiveSession },
      errors: [404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.actions.act(principal, params.attemptId, body, c.get('ip'))),
  );
  r.add(
    {
      method: 'post',
      path: '/proctor/sessions/:attemptId/transfer',
      tag: 'proctor',
      summary: 'Move the candidate to another desk: pauses the session and issues a one-time resume code',
      roles: staff,
      params: AttemptParams,
      body: TransferRequest,
      responses: { 200: TransferResponse },
      errors: [404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.transfer.transfer(principal, params.attemptId, body, c.get('ip'))),
  );
  r.add(
    { method: 'get', path: '/proctor/sessions/:attemptId/instructions', tag: 'proctor', summary: 'Instructions sent to the kiosk and whether it acknowledged them', roles: staff, params: AttemptParams, responses: { 200: InstructionsResponse }, errors: [404] },
    async ({ c, params, principal }) => c.json(await s.room.instructions(principal, params.attemptId)),
  );
  r.add(
    { method: 'get', path: '/proctor/alerts', tag: 'proctor', summary: 'Alerts in your scope, newest first', roles: staff, query: AlertsQuery, responses: { 200: AlertsResponse } },
    async ({ c, principal, query }) => c.json(await s.alerts.list(principal, query as z.infer<typeof AlertsQuery>)),
  );
  r.add(
    { method: 'post', path: '/proctor/alerts/:alertId/ack', tag: 'proctor', summary: 'Acknowledge (dismiss) an alert', roles: staff, params: z.object({ alertId: Id }), responses: { 200: Alert }, errors: [404] },
    async ({ c, params, principal }) => c.json(await s.alerts.ack(principal, params.alertId, c.get('ip'))),
  );
  r.add(
    {
      method: 'get',
      path: '/proctor/events',
      tag: 'proctor',
      summary: 'Server-Sent Events: session changes and alerts in your scope (token may be passed as ?access_token=; Last-Event-ID replays what was missed)',
      roles: staff,
      queryToken: true,
      responses: { 200: null },
    },
    ({ c, principal }) => liveStream(c, principal, bearer(c) ?? c.req.query('access_token') ?? '', s),
  );
  r.add(
    {
      method: 'post',
      path: '/exams/sessions/transfer/claim',
      tag: 'exam sessions',
      summary: 'On the new desk: continue the attempt with the resume code and this kiosk’s device key',
      roles: ['candidate'],
      body: ClaimTransferRequest,
      responses: { 200: ClaimTransferResponse },
      errors: [403, 409, 429],
    },
    async ({ c, body, principal }) => c.json(await s.transfer.claim(candidateRef(c, principal), body, c.req.header('user-agent') ?? '')),
  );
}
