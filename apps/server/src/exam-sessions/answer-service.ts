import type { AnswerValue, SaveAnswerResponse } from '@invigil/contract';
import { answerShapeError, isFinal, settle } from '@invigil/core';
import type { Database } from '../ports/database.ts';
import type { Metrics } from '../ports/metrics.ts';
import { conflict, invalid, locked, notFound } from '../ports/errors.ts';
import type { CandidateRef, SessionRecord } from '../ports/types.ts';
import type { AnswerWriter } from './answer-writer.ts';
import type { ExamCatalog } from './exam-catalog.ts';
import type { SessionChanges } from './session-changes.ts';
import type { SessionReader } from './session-reader.ts';
import { settleIfDue } from './start-service.ts';

const iso = (t: number) => new Date(t).toISOString();

/** Why a session takes no answers now, or null when it does. */
function notWritable(rec: SessionRecord) {
  if (isFinal(rec.state)) return conflict('SESSION_FINISHED', `the session is ${rec.state.status}; answers can no longer change`);
  if (rec.state.isLocked) return locked(`the session is locked: ${rec.state.lockReason ?? 'by staff'}`);
  if (rec.state.status !== 'active') return conflict('SESSION_NOT_ACTIVE', `the session is ${rec.state.status}; resume it first`);
  return null;
}

/** Answer saves: durable before acknowledged, idempotent by clientSeq, never after the session stopped taking them. */
export class AnswerService {
  constructor(private readonly d: { db: Database; now: () => number; catalog: ExamCatalog; changes: SessionChanges; reader: SessionReader; writer: AnswerWriter; metrics?: Metrics }) {}

  async save(who: CandidateRef, attemptId: string, questionId: string, value: AnswerValue, clientSeq: number): Promise<SaveAnswerResponse> {
    const now = this.d.now();
    let rec = await this.d.reader.mustBeMine(who, attemptId);
    if (settle(rec.state, now)) rec = await settleIfDue(this.d.changes, rec, now);
    const refusal = notWritable(rec);
    if (refusal) throw refusal;
    const question = (await this.d.catalog.get(rec.examId))?.questionsById.get(questionId);
    if (!question) throw notFound('no such question in this exam');
    const shape = answerShapeError(question, value);
    if (shape) throw invalid('INVALID_ANSWER', shape, { questionId, type: question.type });
    const r = await this.d.writer.save({ attemptId, questionId, valueJson: JSON.stringify(value), clientSeq, at: now });
    this.d.metrics?.answerSave(r.outcome);
    if (r.outcome === 'refused') {
      // The session changed between our read and the write (submitted, locked, paused, time up):
      // the write itself refused, nothing was stored; say why as of now.
      const latest = await this.d.reader.mustBeMine(who, attemptId);
      throw notWritable(settle(latest.state, this.d.now()) ? await settleIfDue(this.d.changes, latest, this.d.now()) : latest) ?? conflict('SESSION_FINISHED', 'exam time is over; answers can no longer change');
    }
    return { questionId, clientSeq: r.clientSeq, savedAt: iso(r.savedAt), applied: r.outcome === 'applied' };
  }

  async list(who: CandidateRef, attemptId: string) {
    await this.d.reader.mustBeMine(who, attemptId);
    const rows = await this.d.db.repos.answers.list(attemptId);
    return { answers: rows.map((a) => ({ questionId: a.questionId, value: a.value as AnswerValue, clientSeq: a.clientSeq, savedAt: iso(a.savedAt) })) };
  }
}
