import type { Archive, ExamResults, ResultRow } from '@invigil/contract';
import type { RegistrationRecord } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { MarkRecord } from '../ports/marks.ts';
import type { StoredArchive } from '../ports/review-records.ts';
import { summarize } from './marks.ts';

export interface ResultsDeps {
  db: Database;
  markKey: Buffer;
  /** The attempt's archive: the sealed one, or a live view for a session still running. */
  archiveOf: (attemptId: string) => Promise<{ stored: StoredArchive | null; archive: Archive } | undefined>;
  plannedExtraMinutes: (r: RegistrationRecord) => number;
}

const minutes = (seconds: number | undefined) => Math.round(((seconds ?? 0) / 60) * 100) / 100;

/**
 * Results of an exam, one row per registered candidate (also those who never started), one column
 * per question: auto-scored points, manual marks (verified), totals, what is unmarked, status,
 * incident time and extra time (planned apart from proctors' extensions).
 */
export async function examResults(d: ResultsDeps, examId: string): Promise<ExamResults> {
  const exam = await d.db.repos.exams.get(examId);
  if (!exam) throw notFound('no such exam');
  const questions = exam.questions.map((q) => ({ id: q.id, type: q.type, points: q.points ?? 1, prompt: q.prompt }));
  const maxScore = questions.reduce((n, q) => n + q.points, 0);
  const regs: RegistrationRecord[] = [];
  for (let offset = 0; ; offset += 1_000) {
    const page = await d.db.repos.registrations.list(examId, { limit: 1_000, offset });
    regs.push(...page.registrations);
    if (page.registrations.length < 1_000) break;
  }
  const sessions = await d.db.repos.examSessions.listForStaff({ examId, places: { all: true }, includeFinished: true, limit: 1_000_000 });
  const sessionOf = new Map(sessions.map((x) => [x.candidateId, x]));
  const marksOf = new Map<string, MarkRecord[]>();
  for (const m of await d.db.repos.marks.listForExam(examId)) {
    const list = marksOf.get(m.attemptId);
    if (list) list.push(m);
    else marksOf.set(m.attemptId, [m]);
  }
  const rows: ResultRow[] = [];
  for (const r of regs) {
    const base = { candidateId: r.candidateId, name: r.name, centerName: r.centerName, roomName: r.roomName, seat: r.seat, maxScore, plannedExtraMinutes: d.plannedExtraMinutes(r) };
    const s = sessionOf.get(r.candidateId);
    const got = s ? await d.archiveOf(s.attemptId) : undefined;
    if (!s || !got) {
      rows.push({ ...base, status: 'not_started', attemptId: null, points: questions.map(() => null), autoScore: null, manualScore: null, total: null, unmarked: 0, incidentMinutes: 0, extensionMinutes: 0, alerts: 0 });
      continue;
    }
    const { archive, stored } = got;
    const scored = new Map(archive.scoring.questions.map((q) => [q.questionId, q]));
    const marking = stored ? summarize(d.markKey, s.attemptId, stored.chainHead, archive.scoring, archive.questions ?? questions, marksOf.get(s.attemptId) ?? []) : null;
    const marked = new Map((marking?.marks ?? []).map((m) => [m.questionId, m.points]));
    const points = questions.map((q) => {
      const sc = scored.get(q.id);
      if (!sc) return null;
      return sc.awarded ?? marked.get(q.id) ?? null;
    });
    const unmarked = marking ? marking.unmarked.length : archive.scoring.manualReview.questions;
    rows.push({
      ...base,
      status: s.state.status,
      attemptId: s.attemptId,
      points,
      autoScore: archive.scoring.score,
      manualScore: marking?.manualScore ?? 0,
      total: marking?.score ?? archive.scoring.score,
      unmarked,
      incidentMinutes: minutes(archive.metadata.incidentSeconds),
      plannedExtraMinutes: archive.metadata.plannedExtraSeconds !== undefined ? minutes(archive.metadata.plannedExtraSeconds) : base.plannedExtraMinutes,
      extensionMinutes: minutes(archive.metadata.extensionSeconds),
      alerts: archive.metadata.counts.alerts,
    });
  }
  return { exam: { id: exam.id, title: exam.title, code: exam.code }, questions, rows };
}
