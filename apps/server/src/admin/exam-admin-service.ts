import type { AdminExam, AdminExamSummary, ExamPolicyRequest, ExamWindowRequest, UpdateExamRequest } from '@invigil/contract';
import { AppError, notFound } from '../http/errors.ts';
import type { AdminExamRecord, AdminStore, ExamStatus } from './admin-store.ts';
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
  store: AdminStore;
  now: () => number;
  /** Drops the exam from the ExamCatalog cache after a change. */
  invalidate: (examId: string) => void;
}

/** Exam settings after creation: title, duration, questions, status, window, policy overrides. */
export class ExamAdminService {
  constructor(private readonly d: ExamAdminDeps) {}

  list(filter: { status?: ExamStatus; limit?: number; offset?: number }) {
    const limit = filter.limit ?? 100;
    const offset = filter.offset ?? 0;
    const r = this.d.store.listExams({ ...(filter.status ? { status: filter.status } : {}), limit, offset });
    return { total: r.total, limit, offset, exams: r.exams.map(examSummaryView) };
  }

  get(id: string): AdminExam {
    const e = this.d.store.getExam(id);
    if (!e) throw notFound('no such exam');
    return examView(e);
  }

  private change(by: Actor, id: string, patch: Parameters<AdminStore['updateExam']>[1], action: string, detail: Record<string, unknown>): AdminExam {
    const t = this.d.now();
    const r = this.d.store.updateExam(id, patch, t, staffAudit(by, t, action, { examId: id, ...detail }));
    this.d.invalidate(id);
    if (r === 'not_found') throw notFound('no such exam');
    if (r === 'has_sessions') {
      throw new AppError(409, 'CONFLICT', 'candidates have already started this exam: its questions can no longer change');
    }
    return this.get(id);
  }

  update(by: Actor, id: string, req: UpdateExamRequest): AdminExam {
    const detail: Record<string, unknown> = {};
    if (req.title !== undefined) detail.title = req.title;
    if (req.durationMinutes !== undefined) detail.durationMinutes = req.durationMinutes;
    if (req.questions !== undefined) detail.questions = req.questions.length;
    return this.change(by, id, req, 'exam.updated', detail);
  }

  setStatus(by: Actor, id: string, status: 'open' | 'closed'): AdminExam {
    const before = this.d.store.getExam(id);
    if (!before) throw notFound('no such exam');
    if (before.status === status) return examView(before);
    return this.change(by, id, { status }, status === 'open' ? 'exam.opened' : 'exam.closed', { from: before.status, to: status });
  }

  setWindow(by: Actor, id: string, req: ExamWindowRequest): AdminExam {
    const opensAt = req.opensAt === null ? null : Date.parse(req.opensAt);
    const closesAt = req.closesAt === null ? null : Date.parse(req.closesAt);
    return this.change(by, id, { opensAt, closesAt }, 'exam.window_set', { opensAt: req.opensAt, closesAt: req.closesAt });
  }

  setPolicy(by: Actor, id: string, req: ExamPolicyRequest): AdminExam {
    const policy = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
    return this.change(by, id, { policy }, 'exam.policy_set', { policy });
  }
}
