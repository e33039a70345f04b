import type { AdminExam, AdminExamSummary, ExamPolicyRequest, ExamWindowRequest, UpdateExamRequest } from '@invigil/contract';
import type { AdminExamRecord, ExamPatch, ExamStatus } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import { conflict, notFound } from '../ports/errors.ts';
import { staffAudit, type Actor } from './audit.ts';

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | null) => (t === null ? null : iso(t));

export function examSummaryView(e: AdminExamRecord): AdminExamSummary {
  return {
    id: e.id,
    title: e.title,
    durationMinutes: e.durationMinutes,
    status: e.status,
    opensAt: isoOrNull(e.opensAt),
    closesAt: isoOrNull(e.closesAt),
    policy: e.policy,
    questionCount: e.questions.length,
    registrationCount: e.registrationCount,
    sessionCount: e.sessionCount,
    createdAt: iso(e.createdAt),
    updatedAt: isoOrNull(e.updatedAt),
  };
}

export const examView = (e: AdminExamRecord): AdminExam => ({ ...examSummaryView(e), questions: e.questions });

export interface ExamAdminDeps {
  db: Database;
  now: () => number;
  /** Tells every process to drop its cached copy of the exam. */
  invalidate: (examId: string) => Promise<void>;
}

/** Exam settings after creation: title, duration, questions, status, window, policy overrides. */
export class ExamAdminService {
  constructor(private readonly d: ExamAdminDeps) {}

  async list(filter: { status?: ExamStatus; limit?: number; offset?: number }) {
    const limit = filter.limit ?? 100;
    const offset = filter.offset ?? 0;
    const r = await this.d.db.repos.exams.list({ ...(filter.status ? { status: filter.status } : {}), limit, offset });
    return { total: r.total, limit, offset, exams: r.exams.map(examSummaryView) };
  }

  async get(id: string): Promise<AdminExam> {
    const e = await this.d.db.repos.exams.getAdmin(id);
    if (!e) throw notFound('no such exam');
    return examView(e);
  }

  private async change(by: Actor, id: string, patch: ExamPatch, action: string, detail: Record<string, unknown>, unless?: (e: AdminExamRecord) => boolean): Promise<AdminExam> {
    const t = this.d.now();
    const changed = await this.d.db.tx(async (r) => {
      const before = await r.exams.getAdmin(id);
      if (!before) throw notFound('no such exam');
      if (unless?.(before)) return false;
      // Questions are fixed once anyone started: checked in the transaction that writes them.
      if (patch.questions !== undefined && (await r.exams.sessionCount(id)) > 0) {
        throw conflict('CONFLICT', 'candidates have already started this exam: its questions can no longer change');
      }
      await r.exams.update(id, patch, t);
      await r.audit.append([staffAudit(by, t, action, { examId: id, ...detail })]);
      return true;
    });
    if (changed) await this.d.invalidate(id);
    return this.get(id);
  }

  update(by: Actor, id: string, req: UpdateExamRequest): Promise<AdminExam> {
    const detail: Record<string, unknown> = {};
    if (req.title !== undefined) detail.title = req.title;
    if (req.durationMinutes !== undefined) detail.durationMinutes = req.durationMinutes;
    if (req.questions !== undefined) detail.questions = req.questions.length;
    return this.change(by, id, req, 'exam.updated', detail);
  }

  async setStatus(by: Actor, id: string, status: 'open' | 'closed'): Promise<AdminExam> {
    const before = await this.d.db.repos.exams.getAdmin(id);
    if (!before) throw notFound('no such exam');
    return this.change(by, id, { status }, status === 'open' ? 'exam.opened' : 'exam.closed', { from: before.status, to: status }, (e) => e.status === status);
  }

  setWindow(by: Actor, id: string, req: ExamWindowRequest): Promise<AdminExam> {
    const opensAt = req.opensAt === null ? null : Date.parse(req.opensAt);
    const closesAt = req.closesAt === null ? null : Date.parse(req.closesAt);
    return this.change(by, id, { opensAt, closesAt }, 'exam.window_set', { opensAt: req.opensAt, closesAt: req.closesAt });
  }

  setPolicy(by: Actor, id: string, req: ExamPolicyRequest): Promise<AdminExam> {
    const policy = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    return this.change(by, id, { policy }, 'exam.policy_set', { policy });
  }
}
