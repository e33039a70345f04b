import type { CandidateExamView, CreateExamRequest, Exam, RegisterCandidatesRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import { notFound } from '../http/errors.ts';
import type { Principal } from '../http/context.ts';
import type { Store } from '../ports/store.ts';
import type { ExamRecord } from '../ports/types.ts';
import type { ExamCatalog } from './exam-catalog.ts';

export interface ProvisioningDeps {
  store: Store;
  exams: ExamCatalog;
  now: () => number;
  accessCodeHash: (code: string) => string;
}

const toExam = (e: ExamRecord): Exam => ({
  id: e.id,
  title: e.title,
  durationMinutes: e.durationMinutes,
  questions: e.questions,
  createdAt: new Date(e.createdAt).toISOString(),
});

/** Admin provisioning: exams and candidate registrations. */
export class ProvisioningService {
  constructor(private readonly d: ProvisioningDeps) {}

  createExam(by: Principal, input: CreateExamRequest, ip: string): Exam {
    const id = randomUUID();
    const now = this.d.now();
    const exam = this.d.store.createExam(id, input, by.userId, now, {
      at: now,
      actorType: 'staff',
      actorId: by.userId,
      action: 'exam.created',
      detail: { examId: id, title: input.title, questions: input.questions.length },
      ip,
    });
    return toExam(exam);
  }

  getExam(id: string): Exam {
    const e = this.d.exams.get(id);
    if (!e) throw notFound('no such exam');
    const { questionsById: _omit, ...rest } = e;
    return toExam(rest);
  }

  /** The exam as a candidate sees it: no scoring keys. */
  candidateView(id: string): CandidateExamView {
    const e = this.d.exams.get(id);
    if (!e) throw notFound('no such exam');
    return {
      id: e.id,
      title: e.title,
      durationMinutes: e.durationMinutes,
      questions: e.questions.map(({ correct: _key, ...q }) => q),
    };
  }

  registerCandidates(by: Principal, examId: string, req: RegisterCandidatesRequest, ip: string): { registered: number } {
    if (!this.d.exams.get(examId)) throw notFound('no such exam');
    const now = this.d.now();
    // Last row wins for a candidate listed twice; idempotent per candidateId across calls.
    const byId = new Map(req.candidates.map((c) => [c.candidateId, c]));
    const rows = [...byId.values()].map((c) => ({ ...c, accessCodeHash: this.d.accessCodeHash(c.accessCode) }));
    const n = this.d.store.registerCandidates(examId, rows, now, {
      at: now,
      actorType: 'staff',
      actorId: by.userId,
      action: 'exam.candidates_registered',
      detail: { examId, count: rows.length },
      ip,
    });
    return { registered: n };
  }
}
