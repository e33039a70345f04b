import { asc, eq, inArray } from 'drizzle-orm';
import type { MarkRecord, MarksRepo, NewMark } from '../../../ports/marks.ts';
import type { Exec } from '../exec.ts';
import { examSessions, marks } from '../schema.ts';

/** Manual marks: an append-only table (triggers refuse UPDATE, DELETE and TRUNCATE). */
export class PgMarks implements MarksRepo {
  constructor(private readonly x: Exec) {}

  list(attemptId: string): Promise<MarkRecord[]> {
    return this.x.db.select().from(marks).where(eq(marks.attemptId, attemptId)).orderBy(asc(marks.id));
  }

  listForExam(examId: string): Promise<MarkRecord[]> {
    const attempts = this.x.db.select({ id: examSessions.attemptId }).from(examSessions).where(eq(examSessions.examId, examId));
    return this.x.db.select().from(marks).where(inArray(marks.attemptId, attempts)).orderBy(asc(marks.id));
  }

  async append(m: NewMark): Promise<MarkRecord> {
    const [r] = await this.x.db.insert(marks).values(m).returning();
    return r!;
  }
}
