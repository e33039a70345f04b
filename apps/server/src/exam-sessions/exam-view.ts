import type { CandidateExamView, ExamCover } from '@invigil/contract';
import { isFinal, settle } from '@invigil/core';
import type { Database } from '../ports/database.ts';
import { forbidden, notFound } from '../ports/errors.ts';
import type { CandidateRef } from '../ports/types.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import { isExamCodeShape, normalizeCode } from '../security/short-code.ts';

/** Why the questions are not shown now (QUESTIONS_NOT_AVAILABLE `details.reason`). */
export type NotAvailable = 'not_open' | 'not_started' | 'paused' | 'locked' | 'finished';

const MESSAGES: Record<NotAvailable, string> = {
  not_open: 'the exam has not opened yet: the questions are shown once your exam session has started',
  not_started: 'the questions are shown once your exam session has started',
  paused: 'your exam session is paused: the questions are shown again when it continues',
  locked: 'your exam session is locked: the questions are shown again when staff unlock it',
  finished: 'your exam session has ended: the questions are no longer shown',
};

/**
 * The candidate's view of the exam (no scoring keys). Question text is served only while the
 * candidate's own session of this exam is active, unlocked and has time left, and the exam has
 * opened: not a week before, not after the attempt ended, not while paused or locked. (An attempt
 * started inside the window runs to the end of its own clock, as its answers do.)
 */
export class ExamView {
  constructor(private readonly d: { db: Database; catalog: ExamCatalog; now: () => number }) {}

  /**
   * PROTOCOL: `examId` may carry the exam's id or its short code. A candidate's login is bound to one
   * exam; a reference to it by its code (any case, dashes ignored) is taken as its id, so a kiosk that
   * starts with what the candidate typed works either way. Anything else is returned as it is.
   */
  async resolveRef(boundExamId: string | null | undefined, typed: string): Promise<string> {
    if (!boundExamId || typed === boundExamId || !isExamCodeShape(typed)) return typed;
    const exam = await this.d.catalog.get(boundExamId);
    return exam && exam.code === normalizeCode(typed) ? boundExamId : typed;
  }

  async get(who: CandidateRef, examId: string): Promise<CandidateExamView> {
    // A login is for one exam: any other is somebody else's (404, like an unknown one).
    const exam = who.examId === examId ? await this.d.catalog.get(examId) : undefined;
    if (!exam || exam.status === 'draft') throw notFound('no such exam');
    const reason = await this.unavailable(who, exam.opensAt);
    if (reason) {
      throw forbidden(MESSAGES[reason], 'QUESTIONS_NOT_AVAILABLE', { reason, ...(exam.opensAt !== null ? { opensAt: new Date(exam.opensAt).toISOString() } : {}), cover: await this.cover(who, exam) });
    }
    return { id: exam.id, title: exam.title, durationMinutes: exam.durationMinutes, questions: exam.questions.map(({ correct: _key, ...q }) => q) };
  }

  /** The cover page (no questions): what the kiosk shows the candidate to confirm before the start. */
  private async cover(who: CandidateRef, exam: { id: string; title: string; durationMinutes: number }): Promise<ExamCover> {
    const reg = await this.d.db.repos.registrations.find(exam.id, who.candidateId);
    // Planned extra time (an accommodation) when the registration carries it.
    const extra = (reg as { plannedExtraMinutes?: unknown } | undefined)?.plannedExtraMinutes;
    return {
      id: exam.id,
      title: exam.title,
      durationMinutes: exam.durationMinutes,
      candidate: { id: who.candidateId, name: reg?.name ?? who.candidateId },
      ...(typeof extra === 'number' && Number.isInteger(extra) && extra > 0 ? { plannedExtraMinutes: extra } : {}),
    };
  }

  private async unavailable(who: CandidateRef, opensAt: number | null): Promise<NotAvailable | null> {
    const now = this.d.now();
    if (opensAt !== null && now < opensAt) return 'not_open';
    const attempt = (await this.d.db.repos.examSessions.listForCandidate(who.candidateId)).find((s) => s.examId === who.examId);
    if (!attempt) return 'not_started';
    if (isFinal(attempt.state) || settle(attempt.state, now)) return 'finished';
    if (attempt.state.isLocked) return 'locked';
    if (attempt.state.status !== 'active') return 'paused';
    return null;
  }
}
