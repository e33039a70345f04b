import type { Context } from 'hono';
import { forbidden } from '../ports/errors.ts';
import type { CandidateRef, Principal } from '../ports/types.ts';
import type { AppEnv } from './context.ts';

export function clientInfo(c: Context<AppEnv>) {
  return { ip: c.get('ip'), userAgent: c.req.header('user-agent') ?? '' };
}

export function candidateRef(c: Context<AppEnv>, p: Principal): CandidateRef {
  if (p.role !== 'candidate' || !p.candidateId) throw forbidden('this route is for candidates');
  const ref: CandidateRef = { candidateId: p.candidateId, examId: p.examId ?? null, ip: c.get('ip'), loginId: p.sessionId };
  if (p.unchecked) ref.unchecked = p.unchecked;
  return ref;
}
