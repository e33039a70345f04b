import {
  ActiveSessionsResponse,
  AnswerParams,
  AnswersResponse,
  AttemptParams,
  CandidateExamView,
  HeartbeatRequest,
  HeartbeatResponse,
  Id,
  RecoverRequest,
  RecoverResponse,
  SaveAnswerRequest,
  SaveAnswerResponse,
  SessionInfo,
  StartSessionRequest,
  StartSessionResponse,
} from '@invigil/contract';
import { z } from 'zod';
import { candidateRef } from '../http/client-info.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import { notFound } from '../ports/errors.ts';
import type { AnswerService } from './answer-service.ts';
import type { CandidateActions } from './candidate-actions.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { ExamView } from './exam-view.ts';
import type { HeartbeatService } from './heartbeat-service.ts';
import type { RecoveryService } from './recovery-service.ts';
import type { StartService } from './start-service.ts';

export interface ExamSessionServices {
  catalog: ExamCatalog;
  view: ExamView;
  start: StartService;
  heartbeats: HeartbeatService;
  recovery: RecoveryService;
  answers: AnswerService;
  actions: CandidateActions;
}

const candidate = ['candidate'] as const;

/** PROTOCOL.md "Candidate exam sessions", plus the candidate's view of the exam. */
export function examSessionRoutes(r: RouteRegistry, s: ExamSessionServices): void {
  r.add(
    {
      method: 'get',
      path: '/exams/:examId',
      tag: 'candidate',
      summary:
        'The exam as the candidate sees it (no scoring keys). Only while your session of it is active and unlocked with time left: otherwise 403 QUESTIONS_NOT_AVAILABLE with details.reason not_open | not_started | paused | locked | finished and details.cover, the cover page (id, title, durationMinutes, candidate {id, name}, plannedExtraMinutes when registered) the kiosk shows to confirm',
      roles: candidate,
      params: z.object({ examId: Id }),
      responses: { 200: CandidateExamView },
      errors: [403, 404],
    },
    async ({ c, params, principal }) => c.json(await s.view.get(candidateRef(c, principal), await s.view.resolveRef(principal.examId, params.examId))),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/start', tag: 'exam sessions', summary: 'Start an exam session (one active per candidate)', roles: candidate, body: StartSessionRequest, responses: { 201: StartSessionResponse }, errors: [404, 409] },
    async ({ c, body, principal }) => {
      // A login is for one exam (its access code): any other exam is somebody else's, like GET /exams/{examId}.
      // The exam may be named by its short code (PROTOCOL: examId carries either).
      const examSetId = await s.view.resolveRef(principal.examId, body.examSetId);
      if (principal.examId !== examSetId) throw notFound('no such exam for this candidate');
      return c.json(await s.start.start(candidateRef(c, principal), { ...body, examSetId }, c.req.header('user-agent') ?? ''), 201);
    },
  );
  r.add(
    { method: 'get', path: '/exams/sessions/active', tag: 'exam sessions', summary: "The candidate's active and paused sessions", roles: candidate, responses: { 200: ActiveSessionsResponse } },
    async ({ c, principal }) => c.json(await s.start.active(candidateRef(c, principal))),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/heartbeat', tag: 'exam sessions', summary: 'Signed heartbeat; answers carry staff instructions', roles: candidate, body: HeartbeatRequest, responses: { 200: HeartbeatResponse }, errors: [404], hot: true, uncheckedLogin: true },
    async ({ c, body, principal }) => c.json(await s.heartbeats.heartbeat(candidateRef(c, principal), body)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/pause', tag: 'exam sessions', summary: 'Pause (clock stops)', roles: candidate, params: AttemptParams, responses: { 200: SessionInfo }, errors: [404, 409, 423] },
    async ({ c, params, principal }) => c.json(await s.actions.pause(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/resume', tag: 'exam sessions', summary: 'Resume a paused session', roles: candidate, params: AttemptParams, responses: { 200: SessionInfo }, errors: [403, 404, 409, 423] },
    async ({ c, params, principal }) => c.json(await s.actions.resume(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    {
      method: 'post',
      path: '/exams/sessions/:attemptId/recover',
      tag: 'exam sessions',
      summary: 'Recover after a crash with the recovery token (rotated on use; a retry with the previous token within 60 s gets the same answer)',
      roles: candidate,
      params: AttemptParams,
      body: RecoverRequest,
      responses: { 200: RecoverResponse },
      errors: [403, 404, 409, 423, 429],
    },
    async ({ c, params, body, principal }) => c.json(await s.recovery.recover(candidateRef(c, principal), params.attemptId, body.recoveryToken, body.signature)),
  );
  r.add(
    { method: 'put', path: '/exams/sessions/:attemptId/answers/:questionId', tag: 'exam sessions', summary: 'Save an answer (durable before acknowledged; idempotent by clientSeq)', roles: candidate, params: AnswerParams, body: SaveAnswerRequest, responses: { 200: SaveAnswerResponse }, errors: [404, 409, 423], hot: true },
    async ({ c, params, body, principal }) => c.json(await s.answers.save(candidateRef(c, principal), params.attemptId, params.questionId, body.value, body.clientSeq)),
  );
  r.add(
    { method: 'get', path: '/exams/sessions/:attemptId/answers', tag: 'exam sessions', summary: 'Every saved answer of the attempt', roles: candidate, params: AttemptParams, responses: { 200: AnswersResponse }, errors: [404] },
    async ({ c, params, principal }) => c.json(await s.answers.list(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/submit', tag: 'exam sessions', summary: 'Submit the attempt (final)', roles: candidate, params: AttemptParams, responses: { 200: SessionInfo }, errors: [404, 409, 423] },
    async ({ c, params, principal }) => c.json(await s.actions.submit(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'delete', path: '/exams/sessions/:attemptId', tag: 'exam sessions', summary: 'Abandon the attempt (session terminated)', roles: candidate, params: AttemptParams, responses: { 204: null }, errors: [404, 409] },
    async ({ c, params, principal }) => {
      await s.actions.terminate(candidateRef(c, principal), params.attemptId);
      return c.body(null, 204);
    },
  );
}
