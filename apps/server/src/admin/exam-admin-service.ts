import type { AdminExam, AdminExamSummary, CandidateExamView, ExamPolicyRequest, ExamWindowRequest, UpdateExamRequest } from '@invigil/contract';
import type { AdminExamRecord, ExamPatch, ExamStatus } from '../ports/admin-records.ts';
import type { Database } from '../ports/database.ts';
import { conflict, notFound } from '../ports/errors.ts';
import { randomUUID } from 'node:crypto';
import type { Repos } from '../ports/repositories.ts';
import { staffAudit, type Actor } from './audit.ts';
import { freeExamCode } from './provisioning-service.ts';

/** What closing an exam does to the sessions still running (said in the 409 and in the console). */
export const CLOSE_EFFECT = 'Closing stops new starts only: running sessions go on until they are submitted or their time runs out; paused ones can still be resumed.';

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | null) => (t === null ? null : iso(t));

export function examSummaryView(e: AdminExamRecord): AdminExamSummary {
  return {
    id: e.id,
    code: e.code,
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

  private async change(
    by: Actor,
    id: string,
    patch: ExamPatch,
    action: string,
    detail: Record<string, unknown>,
    unless?: (e: AdminExamRecord) => boolean,
    check?: (e: AdminExamRecord, r: Repos) => Promise<Record<string, unknown> | void>,
  ): Promise<AdminExam> {
    const t = this.d.now();
    const changed = await this.d.db.tx(async (r) => {
      const before = await r.exams.getAdmin(id);
      if (!before) throw notFound('no such exam');
      if (unless?.(before)) return false;
      // Guards that rest on the exam's state run in the transaction that writes.
      const more = await check?.(before, r);
      if (more) Object.assign(detail, more);
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

  /**
   * Lifecycle draft → open → closed (and closed → open again). Opening needs at least one question.
   * Closing while sessions run needs `confirm`: otherwise 409 SESSIONS_RUNNING with their count.
   * Closing stops new starts only: running sessions go on until submitted or their time runs out.
   */
  async setStatus(by: Actor, id: string, status: 'open' | 'closed', opts: { confirm?: boolean } = {}): Promise<AdminExam> {
    const before = await this.d.db.repos.exams.getAdmin(id);
    if (!before) throw notFound('no such exam');
    const check = async (e: AdminExamRecord, r: Repos) => {
      if (status === 'open') {
        if (e.questions.length === 0) throw conflict('NO_QUESTIONS', 'an exam needs at least one question before it can open');
        return;
      }
      const running = await r.exams.runningSessionCount(id);
      if (running > 0 && !opts.confirm) {
        throw conflict('SESSIONS_RUNNING', `${running} session${running === 1 ? ' is' : 's are'} still running. ${CLOSE_EFFECT} Confirm to close.`, { running, effect: CLOSE_EFFECT });
      }
      return running > 0 ? { runningSessions: running } : undefined;
    };
    return this.change(by, id, { status }, status === 'open' ? 'exam.opened' : 'exam.closed', { from: before.status, to: status }, (e) => e.status === status, check);
  }

  /** A new draft with the same title (marked as a copy), duration, questions and policy, and a new code. */
  async duplicate(by: Actor, id: string): Promise<AdminExam> {
    const t = this.d.now();
    const newId = randomUUID();
    await this.d.db.tx(async (r) => {
      const src = await r.exams.getAdmin(id);
      if (!src) throw notFound('no such exam');
      const title = `${src.title} (copy)`.slice(0, 300);
      const code = await freeExamCode(r);
      await r.exams.create(newId, { title, durationMinutes: src.durationMinutes, questions: src.questions }, by.principal.userId, t, { code, status: 'draft' });
      if (Object.keys(src.policy).length) await r.exams.update(newId, { policy: src.policy }, t);
      await r.audit.append([staffAudit(by, t, 'exam.duplicated', { examId: newId, from: id, code, title })]);
    });
    return this.get(newId);
  }

  /** What a candidate will see (no scoring keys), for staff checking an exam before it opens. */
  async preview(id: string): Promise<CandidateExamView> {
    const e = await this.d.db.repos.exams.get(id);
    if (!e) throw notFound('no such exam');
    return { id: e.id, title: e.title, durationMinutes: e.durationMinutes, questions: e.questions.map(({ correct: _key, ...q }) => q) };
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
