import { Archive, AttemptParams, MarkParams, MarkRequest, ReviewDetail, ReviewMarking, ReviewSessionsQuery, ReviewSessionsResponse, VerifyResponse } from '@invigil/contract';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { ReviewService } from './review-service.ts';

const staff = ['admin', 'proctor'] as const;

/** Review routes: the session browser, a session's archive (or live view), download and verification. */
export function reviewRoutes(r: RouteRegistry, review: ReviewService): void {
  r.add(
    {
      method: 'get',
      path: '/review/sessions',
      tag: 'review',
      summary: 'Every exam session in your scope, live and finished, with filters, search (candidate id/name, session id, attempt id) and pages',
      roles: staff,
      query: ReviewSessionsQuery,
      responses: { 200: ReviewSessionsResponse },
    },
    async ({ c, principal, query }) => c.json(await review.list(principal, query as ReviewSessionsQuery)),
  );
  r.add(
    {
      method: 'get',
      path: '/review/sessions/:attemptId',
      tag: 'review',
      summary: 'One attempt: its sealed archive, or a live view built the same way while it runs',
      roles: staff,
      params: AttemptParams,
      responses: { 200: ReviewDetail },
      errors: [404],
    },
    async ({ c, params, principal }) => c.json(await review.detail(principal, params.attemptId)),
  );
  r.add(
    {
      method: 'get',
      path: '/review/sessions/:attemptId/archive',
      tag: 'review',
      summary: 'Download the sealed archive (canonical JSON, as stored); 409 while the attempt is not finished',
      roles: staff,
      params: AttemptParams,
      responses: { 200: Archive },
      errors: [404, 409],
    },
    async ({ c, params, principal }) => {
      const f = await review.archiveFile(principal, params.attemptId);
      return c.body(f.content, 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${f.filename}"`,
        'Cache-Control': 'no-store',
        'X-Invigil-Chain-Head': f.chainHead,
      });
    },
  );
  r.add(
    {
      method: 'put',
      path: '/review/sessions/:attemptId/marks/:questionId',
      tag: 'review',
      summary: 'Mark a text answer of a finished attempt (points up to the question’s, comment; admins). Sealed as an addendum (own append-only rows, HMAC over attempt, chain head, previous mark and the mark), audited; answers the totals',
      roles: ['admin'],
      params: MarkParams,
      body: MarkRequest,
      responses: { 200: ReviewMarking },
      errors: [404, 409],
    },
    async ({ c, params, principal, body }) => c.json(await review.mark(principal, params.attemptId, params.questionId, body, c.get('ip'))),
  );
  r.add(
    {
      method: 'get',
      path: '/review/sessions/:attemptId/verify',
      tag: 'review',
      summary: 'Recompute the archive’s hash chain and compare it with the head stored at sealing',
      roles: staff,
      params: AttemptParams,
      responses: { 200: VerifyResponse },
      errors: [404, 409],
    },
    async ({ c, params, principal }) => c.json(await review.verify(principal, params.attemptId)),
  );
}
