import { asc, count, eq, max } from 'drizzle-orm';
import type { AnswerRepo } from '../../../ports/repositories.ts';
import type { AnswerWrite, AnswerWriteResult, StoredAnswerRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { answers } from '../schema.ts';
import type { Sync } from '../sync.ts';

/**
 * "The session is active, unlocked and has exam time left at @at": the condition every answer
 * write carries, so no answer lands after a submit, a lock, a pause or the end of time, whichever
 * process changed the session and however the requests interleave.
 */
const WRITABLE = `SELECT 1 FROM exam_sessions s WHERE s.attempt_id = @attemptId AND s.status = 'active' AND s.is_locked = 0
  AND s.running_since IS NOT NULL AND s.used_ms + (@at - s.running_since) < s.allowed_ms`;

export class SqliteAnswers implements Sync<AnswerRepo> {
  private readonly saveTx;
  private readonly mergeTx;

  constructor(private readonly db: Db) {
    const c = db.$client;
    // Idempotent by clientSeq: an equal or older seq is acknowledged but never overwrites.
    const upsert = c.prepare(
      `INSERT INTO answers (attempt_id, question_id, value, client_seq, saved_at)
       SELECT @attemptId, @questionId, @value, @clientSeq, @at WHERE EXISTS (${WRITABLE})
       ON CONFLICT (attempt_id, question_id) DO UPDATE SET value = excluded.value, client_seq = excluded.client_seq, saved_at = excluded.saved_at
       WHERE excluded.client_seq > answers.client_seq`,
    );
    const writable = c.prepare(WRITABLE).pluck();
    const stored = c.prepare('SELECT saved_at FROM answers WHERE attempt_id = ? AND question_id = ?').pluck();
    this.saveTx = c.transaction((batch: AnswerWrite[]): AnswerWriteResult[] =>
      batch.map((w) => {
        const p = { attemptId: w.attemptId, questionId: w.questionId, value: w.valueJson, clientSeq: w.clientSeq, at: w.at };
        if (upsert.run(p).changes > 0) return { outcome: 'applied', clientSeq: w.clientSeq, savedAt: w.at };
        if (writable.get({ attemptId: w.attemptId, at: w.at }) === undefined) return { outcome: 'refused' };
        return { outcome: 'stale', clientSeq: w.clientSeq, savedAt: (stored.get(w.attemptId, w.questionId) as number | undefined) ?? w.at };
      }),
    );
    // Offline bundles: no session guard here (the service decided under the row lock), clientSeq still rules.
    const merge = c.prepare(
      `INSERT INTO answers (attempt_id, question_id, value, client_seq, saved_at) VALUES (@attemptId, @questionId, @value, @clientSeq, @at)
       ON CONFLICT (attempt_id, question_id) DO UPDATE SET value = excluded.value, client_seq = excluded.client_seq, saved_at = excluded.saved_at
       WHERE excluded.client_seq > answers.client_seq`,
    );
    // Inside a unit of work already (a savepoint) or on its own.
    this.mergeTx = c.transaction((attemptId: string, rows: { questionId: string; valueJson: string; clientSeq: number; at: number }[]) =>
      rows.reduce((n, w) => n + merge.run({ attemptId, questionId: w.questionId, value: w.valueJson, clientSeq: w.clientSeq, at: w.at }).changes, 0),
    );
  }

  mergeOffline(attemptId: string, rows: { questionId: string; valueJson: string; clientSeq: number; at: number }[]): number {
    return rows.length === 0 ? 0 : this.mergeTx(attemptId, rows);
  }

  saveBatch(batch: AnswerWrite[]): AnswerWriteResult[] {
    return batch.length === 0 ? [] : this.saveTx.immediate(batch);
  }

  list(attemptId: string): StoredAnswerRecord[] {
    return this.db
      .select()
      .from(answers)
      .where(eq(answers.attemptId, attemptId))
      .orderBy(asc(answers.questionId))
      .all()
      .map((r) => ({ questionId: r.questionId, value: JSON.parse(r.value) as unknown, clientSeq: r.clientSeq, savedAt: r.savedAt }));
  }

  stats(attemptId: string): { count: number; lastSavedAt: number | null } {
    const r = this.db.select({ n: count(), last: max(answers.savedAt) }).from(answers).where(eq(answers.attemptId, attemptId)).get();
    return { count: r?.n ?? 0, lastSavedAt: r?.last ?? null };
  }
}
