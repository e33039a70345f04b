import {
  ActiveSessionsResponse,
  AnswerParams,
  AnswersResponse,
  AttemptParams,
  CandidateExamView,
  CandidateLoginRequest,
  CandidateLoginResponse,
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
import { notFound } from '../http/errors.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { Services } from '../services/services.ts';
import { candidateRef, clientInfo } from './client-info.ts';

const candidate = ['candidate'] as const;

export function candidateRoutes(r: RouteRegistry, s: Services): void {
  r.add(
    { method: 'post', path: '/auth/candidate/login', tag: 'candidate', summary: 'Candidate login with exam, candidate id and access code', body: CandidateLoginRequest, responses: { 200: CandidateLoginResponse }, errors: [401, 429] },
    ({ c, body }) => c.json(s.auth.candidateLogin(body, clientInfo(c))),
  );
  r.add(
    { method: 'get', path: '/exams/:examId', tag: 'candidate', summary: 'The exam as the candidate sees it (no scoring keys)', roles: candidate, params: z.object({ examId: Id }), responses: { 200: CandidateExamView }, errors: [404] },
    ({ c, params, principal }) => {
      if (principal.examId !== params.examId) throw notFound('no such exam');
      return c.json(s.provisioning.candidateView(params.examId));
    },
  );
  r.add(
    { method: 'post', path: '/exams/sessions/start', tag: 'exam sessions', summary: 'Start an exam session (one active per candidate)', roles: candidate, body: StartSessionRequest, responses: { 201: StartSessionResponse }, errors: [404, 409] },
    ({ c, body, principal }) => {
      // A login is for one exam (its access code): any other exam is somebody else's, like GET /exams/{examId}.
      if (principal.examId !== body.examSetId) throw notFound('no such exam for this candidate');
      return c.json(s.sessions.start(candidateRef(c, principal), body, c.req.header('user-agent') ?? ''), 201);
    },
  );
  r.add(
    { method: 'get', path: '/exams/sessions/active', tag: 'exam sessions', summary: "The candidate's active and paused sessions", roles: candidate, responses: { 200: ActiveSessionsResponse } },
    ({ c, principal }) => c.json(s.sessions.active(candidateRef(c, principal))),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/heartbeat', tag: 'exam sessions', summary: 'Signed heartbeat; answers carry staff instructions', roles: candidate, body: HeartbeatRequest, responses: { 200: HeartbeatResponse }, errors: [404] },
    async ({ c, body, principal }) => c.json(await s.sessions.heartbeat(candidateRef(c, principal), body)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/pause', tag: 'exam sessions', summary: 'Pause (clock stops)', roles: candidate, params: AttemptParams, responses: { 200: SessionInfo }, errors: [404, 409, 423] },
    ({ c, params, principal }) => c.json(s.sessions.pause(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/resume', tag: 'exam sessions', summary: 'Resume a paused session', roles: candidate, params: AttemptParams, responses: { 200: SessionInfo }, errors: [403, 404, 409, 423] },
    ({ c, params, principal }) => c.json(s.sessions.resume(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/recover', tag: 'exam sessions', summary: 'Recover after a crash with the recovery token (rotated on use)', roles: candidate, params: AttemptParams, body: RecoverRequest, responses: { 200: RecoverResponse }, errors: [403, 404, 409, 423, 429] },
    ({ c, params, body, principal }) => c.json(s.sessions.recover(candidateRef(c, principal), params.attemptId, body.recoveryToken, body.signature)),
  );
  r.add(
    { method: 'put', path: '/exams/sessions/:attemptId/answers/:questionId', tag: 'exam sessions', summary: 'Save an answer (durable before acknowledged; idempotent by clientSeq)', roles: candidate, params: AnswerParams, body: SaveAnswerRequest, responses: { 200: SaveAnswerResponse }, errors: [404, 409, 423] },
    async ({ c, params, body, principal }) => c.json(await s.sessions.saveAnswer(candidateRef(c, principal), params.attemptId, params.questionId, body.value, body.clientSeq)),
  );
  r.add(
    { method: 'get', path: '/exams/sessions/:attemptId/answers', tag: 'exam sessions', summary: 'Every saved answer of the attempt', roles: candidate, params: AttemptParams, responses: { 200: AnswersResponse }, errors: [404] },
    ({ c, params, principal }) => c.json(s.sessions.listAnswers(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'post', path: '/exams/sessions/:attemptId/submit', tag: 'exam sessions', summary: 'Submit the attempt (final)', roles: candidate, params: AttemptParams, responses: { 200: SessionInfo }, errors: [404, 409, 423] },
    ({ c, params, principal }) => c.json(s.sessions.submit(candidateRef(c, principal), params.attemptId)),
  );
  r.add(
    { method: 'delete', path: '/exams/sessions/:attemptId', tag: 'exam sessions', summary: 'Abandon the attempt (session terminated)', roles: candidate, params: AttemptParams, responses: { 204: null }, errors: [404, 409] },
    ({ c, params, principal }) => {
      s.sessions.terminate(candidateRef(c, principal), params.attemptId);
      return c.body(null, 204);
    },
  );
}
