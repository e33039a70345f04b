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
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { RouteRegistry } from '../http/route-registry.ts';
import { inScope, scopeOf } from '../services/scope.ts';
import type { Services } from '../services/services.ts';
import { candidateRef } from './client-info.ts';

const staff = ['admin', 'proctor'] as const;

export function proctorRoutes(r: RouteRegistry, s: Services): void {
  r.add(
    { method: 'get', path: '/proctor/sessions', tag: 'proctor', summary: 'The live room: every session in your scope, with presence, time and alerts', roles: staff, query: LiveSessionsQuery, responses: { 200: LiveSessionsResponse } },
    ({ c, principal, query }) => {
      const q = query as z.infer<typeof LiveSessionsQuery>;
      return c.json(s.proctor.room(principal, { examId: q.examId, centerId: q.centerId, roomId: q.roomId, status: q.status, includeFinished: q.includeFinished === 'true' }));
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
    ({ c, params, body, principal }) => c.json(s.proctor.act(principal, params.attemptId, body, c.get('ip'))),
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
    ({ c, params, body, principal }) => c.json(s.proctor.transfer(principal, params.attemptId, body, c.get('ip'))),
  );
  r.add(
    { method: 'get', path: '/proctor/sessions/:attemptId/instructions', tag: 'proctor', summary: 'Instructions sent to the kiosk and whether it acknowledged them', roles: staff, params: AttemptParams, responses: { 200: InstructionsResponse }, errors: [404] },
    ({ c, params, principal }) => c.json(s.proctor.instructions(principal, params.attemptId)),
  );
  r.add(
    { method: 'get', path: '/proctor/alerts', tag: 'proctor', summary: 'Alerts in your scope, newest first', roles: staff, query: AlertsQuery, responses: { 200: AlertsResponse } },
    ({ c, principal, query }) => c.json(s.proctor.alerts(principal, query as z.infer<typeof AlertsQuery>)),
  );
  r.add(
    { method: 'post', path: '/proctor/alerts/:alertId/ack', tag: 'proctor', summary: 'Acknowledge (dismiss) an alert', roles: staff, params: z.object({ alertId: Id }), responses: { 200: Alert }, errors: [404] },
    ({ c, params, principal }) => c.json(s.proctor.ackAlert(principal, params.alertId, c.get('ip'))),
  );
  r.add(
    {
      method: 'get',
      path: '/proctor/events',
      tag: 'proctor',
      summary: 'Server-Sent Events: session changes and alerts in your scope (token may be passed as ?access_token=)',
      roles: staff,
      queryToken: true,
      responses: { 200: null },
    },
    ({ c, principal }) => {
      const scope = scopeOf(principal);
      return streamSSE(c, async (stream) => {
        let id = 0;
        const queue: string[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = s.bus.subscribe((e) => {
          if (!inScope(scope, { centerId: e.centerId ?? null, roomId: e.roomId ?? null })) return;
          queue.push(JSON.stringify({ ...e, at: new Date(e.at).toISOString() }));
          wake?.();
        });
        stream.onAbort(() => {
          unsubscribe();
          wake?.();
        });
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ serverTime: Date.now() }), id: String(id++) });
        while (!stream.aborted && !stream.closed) {
          while (queue.length) await stream.writeSSE({ event: 'message', data: queue.shift()!, id: String(id++) });
          // Wait for the next event, or 15 s, then send a keep-alive comment through proxies.
          await new Promise<void>((res) => {
            const t = setTimeout(res, 15_000);
            wake = () => {
              clearTimeout(t);
              res();
            };
          });
          wake = null;
          if (!queue.length && !stream.aborted) await stream.write(': keep-alive\n\n');
        }
        unsubscribe();
      });
    },
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
    ({ c, body, principal }) => c.json(s.proctor.claim(candidateRef(c, principal), body, c.req.header('user-agent') ?? '')),
  );
}
