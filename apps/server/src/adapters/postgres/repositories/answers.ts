import { count, eq, max } from 'drizzle-orm';
import type { AnswerRepo } from '../../../ports/repositories.ts';
import type { AnswerWrite, AnswerWriteResult, StoredAnswerRecord } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { answers } from '../schema.ts';

/**
 * Answers. A batch is one statement, `invigil_save_answers` (migration 0002): one round trip and
 * one commit for the whole batch, each write guarded by the state of its session at `write.at`,
 * the sessions locked for the batch (see the migration for why that rules out a late answer).
 */
export class PgAnswers implements AnswerRepo {
  constructor(private readonly x: Exec) {}

  async saveBatch(batch: AnswerWrite[]): Promise<AnswerWriteResult[]> {
    if (batch.length === 0) return [];
    const rows = await this.x.rows<{ ord: number; outcome: 'applied' | 'stale' | 'refused'; stored_at: number | null }>(
      'SELECT ord, outcome, stored_at FROM invigil_save_answers($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])',
      [batch.map((w) => w.attemptId), batch.map((w) => w.questionId), batch.map((w) => w.valueJson), batch.map((w) => w.clientSeq), batch.map((w) => w.at)],
      'invigil.answers.save',
    );
    const out = new Array<AnswerWriteResult>(batch.length);
    for (const r of rows) {
      const w = batch[r.ord - 1]!;
      out[r.ord - 1] = r.outcome === 'refused' ? { outcome: 'refused' } : { outcome: r.outcome, clientSeq: w.clientSeq, savedAt: r.stored_at ?? w.at };
    }
    return out;
  }

  /** Offline bundles: one statement, no session guard (the service decided under the row lock), only over a lower clientSeq. */
  async mergeOffline(attemptId: string, rows: { questionId: string; valueJson: string; clientSeq: number; at: number }[]): Promise<number> {
    if (rows.length === 0) return 0;
    const r = await this.x.rows<{ n: number }>(
      `WITH merged AS (
         INSERT INTO answers (attempt_id, question_id, value, client_seq, saved_at)
         SELECT $1, q, v, s, a FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS t(q, v, s, a)
         ON CONFLICT (attempt_id, question_id) DO UPDATE SET value = excluded.value, client_seq = excluded.client_seq, saved_at = excluded.saved_at
         WHERE excluded.client_seq > answers.client_seq
         RETURNING 1)
       SELECT count(*)::int AS n FROM merged`,
      [attemptId, rows.map((w) => w.questionId), rows.map((w) => w.valueJson), rows.map((w) => w.clientSeq), rows.map((w) => w.at)],
      'invigil.answers.merge_offline',
    );
    return r[0]?.n ?? 0;
  }

  async list(attemptId: string): Promise<StoredAnswerRecord[]> {
    const rows = await this.x.db.select().from(answers).where(eq(answers.attemptId, attemptId)).orderBy(binary(answers.questionId));
    return rows.map((r) => ({ questionId: r.questionId, value: JSON.parse(r.value) as unknown, clientSeq: r.clientSeq, savedAt: r.savedAt }));
  }

  async stats(attemptId: string): Promise<{ count: number; lastSavedAt: number | null }> {
    const [r] = await this.x.db.select({ n: count(), last: max(answers.savedAt) }).from(answers).where(eq(answers.attemptId, attemptId));
    return { count: r?.n ?? 0, lastSavedAt: r?.last ?? null };
  }
}
