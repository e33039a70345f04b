import {
  CreateExamRequest,
  Exam,
  RegisterCandidatesRequest,
  RegisterCandidatesResponse,
  StaffLoginRequest,
  StaffLoginResponse,
  Id,
} from '@invigil/contract';
import { z } from 'zod';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { Services } from '../services/services.ts';
import { clientInfo } from './client-info.ts';

const ExamParams = z.object({ examId: Id });

export function staffRoutes(r: RouteRegistry, s: Services): void {
  r.add(
    { method: 'post', path: '/auth/staff/login', tag: 'staff', summary: 'Staff (admin, proctor) login', body: StaffLoginRequest, responses: { 200: StaffLoginResponse }, errors: [401, 429] },
    async ({ c, body }) => c.json(await s.auth.staffLogin(body, clientInfo(c))),
  );
  r.add(
    { method: 'post', path: '/admin/exams', tag: 'admin', summary: 'Create an exam', roles: ['admin'], body: CreateExamRequest, responses: { 201: Exam } },
    ({ c, body, principal }) => c.json(s.provisioning.createExam(principal, body, c.get('ip')), 201),
  );
  // GET /admin/exams/:examId lives with the other exam admin routes (admin/routes.ts).
  r.add(
    {
      method: 'post',
      path: '/admin/exams/:examId/candidates',
      tag: 'admin',
      summary: 'Register candidates (idempotent per candidateId; access codes stored hashed)',
      roles: ['admin'],
      params: ExamParams,
      body: RegisterCandidatesRequest,
      responses: { 201: RegisterCandidatesResponse },
      errors: [404, 413],
    },
    ({ c, body, params, principal }) => c.json(s.provisioning.registerCandidates(principal, params.examId, body, c.get('ip')), 201),
  );
}
