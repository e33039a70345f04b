import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { NewExam, Question } from '@invigil/contract';
import type { AdminExamRecord, ExamPatch, ExamStatus } from '../../../ports/admin-records.ts';
import type { ExamRepo } from '../../../ports/repositories.ts';
import { EXAM_CODE_LENGTH, newShortCode } from '../../../security/short-code.ts';
import type { ExamPolicyOverrides, ExamRecord } from '../../../ports/types.ts';
import type { Db } from '../open.ts';
import { examSessions, exams } from '../schema.ts';
import { selectList } from '../select-list.ts';
import type { Sync } from '../sync.ts';

type ExamRow = typeof exams.$inferSelect;

function parsePolicy(json: string): ExamPolicyOverrides {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ExamPolicyOverrides) : {};
  } catch {
    return {};
  }
}

const toExam = (r: ExamRow): ExamRecord => ({
  id: r.id,
  code: r.code ?? '',
  title: r.title,
  durationMinutes: r.durationMinutes,
  questions: JSON.parse(r.questions) as Question[],
  status: r.status,
  opensAt: r.opensAt,
  closesAt: r.closesAt,
  policy: parsePolicy(r.policy),
  createdAt: r.createdAt,
});

export class SqliteExams implements Sync<ExamRepo> {
  private readonly byId;
  private readonly byCode;

  constructor(private readonly db: Db) {
    // Sign-in resolves the exam typed (its id or its code): prepared once.
    const cols = selectList(exams);
    const byId = db.$client.prepare(`SELECT ${cols} FROM exams WHERE id = ?`);
    const byCode = db.$client.prepare(`SELECT ${cols} FROM exams WHERE code = ?`);
    this.byId = (id: string) => byId.get(id) as ExamRow | undefined;
    this.byCode = (code: string) => byCode.get(code) as ExamRow | undefined;
  }

  create(id: string, input: NewExam, createdBy: string, now: number, extra: { code?: string; status?: ExamStatus } = {}): ExamRecord {
    const status = extra.status ?? 'open';
    const code = extra.code ?? newShortCode(EXAM_CODE_LENGTH);
    this.db.insert(exams).values({ id, code, title: input.title, durationMinutes: input.durationMinutes, questions: JSON.stringify(input.questions), status, createdAt: now, createdBy }).run();
    return { id, code, title: input.title, durationMinutes: input.durationMinutes, questions: input.questions, status, opensAt: null, closesAt: null, policy: {}, createdAt: now };
  }

  findByCode(code: string): ExamRecord | undefined {
    const r = this.byCode(code);
    return r && toExam(r);
  }

  get(id: string): ExamRecord | undefined {
    const r = this.byId(id);
    return r && toExam(r);
  }

  private adminQuery() {
    return this.db
      .select({
        e: exams,
        // Spelled out: drizzle leaves columns unqualified here, which a subquery would misread.
        registrationCount: sql<number>`(select count(*) from registrations r where r.exam_id = "exams"."id")`,
        sessionCount: sql<number>`(select count(*) from exam_sessions s where s.exam_id = "exams"."id")`,
      })
      .from(exams);
  }

  private toAdmin(r: { e: ExamRow; registrationCount: number; sessionCount: number }): AdminExamRecord {
    return { ...toExam(r.e), registrationCount: r.registrationCount, sessionCount: r.sessionCount, updatedAt: r.e.updatedAt };
  }

  getAdmin(id: string): AdminExamRecord | undefined {
    const r = this.adminQuery().where(eq(exams.id, id)).get();
    return r && this.toAdmin(r);
  }

  list(filter: { status?: ExamStatus; limit: number; offset: number }): { total: number; exams: AdminExamRecord[] } {
    const where = filter.status ? eq(exams.status, filter.status) : undefined;
    const total = this.db.select({ n: count() }).from(exams).where(where).get()?.n ?? 0;
    const rows = this.adminQuery().where(where).orderBy(desc(exams.createdAt), asc(exams.id)).limit(filter.limit).offset(filter.offset).all();
    return { total, exams: rows.map((r) => this.toAdmin(r)) };
  }

  update(id: string, patch: ExamPatch, now: number): boolean {
    const { questions, policy, ...plain } = patch;
    return (
      this.db
        .update(exams)
        .set({
          ...plain,
          ...(questions !== undefined ? { questions: JSON.stringify(questions) } : {}),
          ...(policy !== undefined ? { policy: JSON.stringify(policy) } : {}),
          updatedAt: now,
        })
        .where(eq(exams.id, id))
        .run().changes > 0
    );
  }

  runningSessionCount(id: string): number {
    return this.db.select({ n: count() }).from(examSessions).where(and(eq(examSessions.examId, id), inArray(examSessions.status, ['active', 'paused']))).get()?.n ?? 0;
  }

  sessionCount(id: string): number {
    return this.db.select({ n: count() }).from(examSessions).where(eq(examSessions.examId, id)).get()?.n ?? 0;
  }
}
