import { ExamResults, ResultsQuery } from '@invigil/contract';
import { z } from 'zod';
import type { RouteRegistry } from '../http/route-registry.ts';
import { resultsCsv, resultsXlsx } from './results-export.ts';
import type { ReviewService } from './review-service.ts';

const ExamParams = z.object({ examId: z.string().trim().min(1).max(200) });
const fileName = (title: string, ext: string) => `results-${title.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'exam'}.${ext}`;

/** Results per exam (admins): JSON, CSV or XLSX, one row per candidate. */
export function resultsRoutes(r: RouteRegistry, review: ReviewService): void {
  r.add(
    {
      method: 'get',
      path: '/admin/exams/:examId/results',
      tag: 'review',
      summary: 'Results of an exam, one row per registered candidate and one column per question (auto scores, manual marks, totals, unmarked, status, incident and extra time); ?format=json (default), csv or xlsx',
      roles: ['admin'],
      params: ExamParams,
      query: ResultsQuery,
      responses: { 200: ExamResults },
      errors: [404],
    },
    async ({ c, params, query, principal }) => {
      const format = (query as z.infer<typeof ResultsQuery>).format ?? 'json';
      const res = await review.results(params.examId);
      if (format === 'json') return c.json(res);
      // A file of everyone's results leaves the server: who took it, and when, is on record.
      await review.auditExport(principal, params.examId, format, res.rows.length, c.get('ip'));
      const headers = { 'Cache-Control': 'no-store' };
      if (format === 'csv') {
        return c.body(resultsCsv(res), 200, { ...headers, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName(res.exam.title, 'csv')}"` });
      }
      const buf = await resultsXlsx(res);
      return c.body(new Uint8Array(buf), 200, {
        ...headers,
        'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'Content-Disposition': `attachment; filename="${fileName(res.exam.title, 'xlsx')}"`,
      });
    },
  );
}
