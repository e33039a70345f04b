import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { NewExam, Question } from '@invigil/contract';
import type { AdminExamRecord, ExamPatch, ExamStatus } from '../../../ports/admin-records.ts';
import type { ExamRepo } from '../../../ports/repositories.ts';
import { EXAM_CODE_LENGTH, newShortCode } from '../../../security/short-code.ts';
import type { ExamPolicyOverrides, ExamRecord } from '../../../ports/types.ts';
import { binary, type Exec } from '../exec.ts';
import { examSessions, exams } from '../schema.ts';

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

export class PgExams implements ExamRepo {
  constructor(private readonly x: Exec) {}

  async create(id: string, input: NewExam, createdBy: string, now: number, extra: { code?: string; status?: ExamStatus } = {}): Promise<ExamRecord> {
    const status = extra.status ?? 'open';
    const code = extra.code ?? newShortCode(EXAM_CODE_LENGTH);
    await this.x.db.insert(exams).values({ id, code, title: input.title, durationMinutes: input.durationMinutes, questions: JSON.stringify(input.questions), status, createdAt: now, createdBy });
    return { id, code, title: input.title, durationMinutes: input.durationMinutes, questions: input.questions, status, opensAt: null, closesAt: null, policy: {}, createdAt: now };
  }

  async findByCode(code: string): Promise<ExamRecord | undefined> {
    const [r] = await this.x.db.select().from(exams).where(eq(exams.code, code)).limit(1);
    return r && toExam(r);
  }

  async get(id: string): Promise<ExamRecord | undefined> {
    const [r] = await this.x.db.select().from(exams).where(eq(exams.id, id)).limit(1);
    return r && toExam(r);
  }

  private adminQuery() {
    return this.x.db
      .select({
        e: exams,
        registrationCount: sql<number>`(select count(*) from registrations r where r.exam_id = "exams"."id")`.mapWith(Number),
        sessionCount: sql<number>`(select count(*) from exam_sessions s where s.exam_id = "exams"."id")`.mapWith(Number),
      })
      .from(exams);
  }

  private toAdmin(r: { e: ExamRow; registrationCount: number; sessionCount: number }): AdminExamRecord {
    return { ...toExam(r.e), registrationCount: r.registrationCount, sessionCount: r.sessionCount, updatedAt: r.e.updatedAt };
  }

  async getAdmin(id: string): Promise<AdminExamRecord | undefined> {
    const [r] = await this.adminQuery().where(eq(exams.id, id)).limit(1);
    return r && this.toAdmin(r);
  }

  async list(filter: { status?: ExamStatus; limit: number; offset: number }): Promise<{ total: number; exams: AdminExamRecord[] }> {
    const where = filter.status ? eq(exams.status, filter.status) : undefined;
    const [t] = await this.x.db.select({ n: count() }).from(exams).where(where);
    const rows = await this.adminQuery().where(where).orderBy(desc(exams.createdAt), binary(exams.id)).limit(filter.limit).offset(filter.offset);
    return { total: t?.n ?? 0, exams: rows.map((r) => this.toAdmin(r)) };
  }

  async update(id: string, patch: ExamPatch, now: number): Promise<boolean> {
    const { questions, policy, ...plain } = patch;
    const res = await this.x.db
      .update(exams)
      .set({
        ...plain,
        ...(questions !== undefined ? { questions: JSON.stringify(questions) } : {}),
        ...(policy !== undefined ? { policy: JSON.stringify(policy) } : {}),
        updatedAt: now,
      })
      .where(eq(exams.id, id));
    return (res.rowCount ?? 0) > 0;
  }

  async runningSessionCount(id: string): Promise<number> {
    const [r] = await this.x.db.select({ n: count() }).from(examSessions).where(and(eq(examSessions.examId, id), inArray(examSessions.status, ['active', 'paused'])));
    return r?.n ?? 0;
  }

  async sessionCount(id: string): Promise<number> {
    const [r] = await this.x.db.select({ n: count() }).from(examSessions).where(eq(examSessions.examId, id));
    return r?.n ?? 0;
  }
}
