import { asc, eq, inArray } from 'drizzle-orm';
import type { MarkRecord, MarksRepo, NewMark } from '../../../ports/marks.ts';
import type { Db } from '../open.ts';
import { examSessions, marks } from '../schema.ts';
import type { Sync } from '../sync.ts';

/** Manual marks: an append-only table (triggers refuse UPDATE and DELETE). */
export class SqliteMarks implements Sync<MarksRepo> {
  constructor(private readonly db: Db) {}

  list(attemptId: string): MarkRecord[] {
    return this.db.select().from(marks).where(eq(marks.attemptId, attemptId)).orderBy(asc(marks.id)).all();
  }

  listForExam(examId: string): MarkRecord[] {
    const attempts = this.db.select({ id: examSessions.attemptId }).from(examSessions).where(eq(examSessions.examId, examId));
    return this.db.select().from(marks).where(inArray(marks.attemptId, attempts)).orderBy(asc(marks.id)).all();
  }

  append(m: NewMark): MarkRecord {
    const r = this.db.insert(marks).values(m).returning().get();
    return r;
  }
}
