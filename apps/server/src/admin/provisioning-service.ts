import type { CreateExamRequest, Exam, RegisterCandidatesRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { ExamRecord, Principal } from '../ports/types.ts';
import { revokeLoginsOfRotatedCodes } from './rotated-codes.ts';

export interface ProvisioningDeps {
  db: Database;
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

/** PROTOCOL.md "Staff and provisioning": creating exams and registering candidates. */
export class ProvisioningService {
  constructor(private readonly d: ProvisioningDeps) {}

  createExam(by: Principal, input: CreateExamRequest, ip: string): Promise<Exam> {
    const id = randomUUID();
    const now = this.d.now();
    return this.d.db.tx(async (r) => {
      const exam = await r.exams.create(id, input, by.userId, now);
      await r.audit.append([{ at: now, actorType: 'staff', actorId: by.userId, action: 'exam.created', detail: { examId: id, title: input.title, questions: input.questions.length }, ip }]);
      return toExam(exam);
    });
  }

  async registerCandidates(by: Principal, examId: string, req: RegisterCandidatesRequest, ip: string): Promise<{ registered: number }> {
    if (!(await this.d.db.repos.exams.get(examId))) throw notFound('no such exam');
    const now = this.d.now();
    // Last row wins for a candidate listed twice; idempotent per candidateId across calls.
    const byId = new Map(req.candidates.map((c) => [c.candidateId, c]));
    const rows = [...byId.values()].map((c) => ({ candidateId: c.candidateId, name: c.name, accessCodeHash: this.d.accessCodeHash(c.accessCode) }));
    const n = await this.d.db.tx(async (r) => {
      await revokeLoginsOfRotatedCodes(r, examId, rows, now, { at: now, actorType: 'staff', actorId: by.userId, ip });
      const n = await r.registrations.register(examId, rows, now);
      await r.audit.append([{ at: now, actorType: 'staff', actorId: by.userId, action: 'exam.candidates_registered', detail: { examId, count: rows.length }, ip }]);
      return n;
    });
    return { registered: n };
  }
}
