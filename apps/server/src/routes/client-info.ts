import type { Context } from 'hono';
import type { AppEnv, Principal } from '../http/context.ts';
import { forbidden } from '../http/errors.ts';
import type { CandidateRef } from '../services/session-service.ts';

export function clientInfo(c: Context<AppEnv>) {
  return { ip: c.get('ip'), userAgent: c.req.header('user-agent') ?? '' };
}

export function candidateRef(c: Context<AppEnv>, p: Principal): CandidateRef {
  if (p.role !== 'candidate' || !p.candidateId) throw forbidden('this route is for candidates');
  return { candidateId: p.candidateId, examId: p.examId ?? null, ip: c.get('ip') };
}
