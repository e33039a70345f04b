import type { CreateExamRequest, Exam, RegisterCandidatesRequest } from '@invigil/contract';
import { randomUUID } from 'node:crypto';
import type { Database } from '../ports/database.ts';
import { notFound } from '../ports/errors.ts';
import type { ExamRecord, Principal } from '../ports/types.ts';
import { revokeLoginsOfRotatedCodes } from './rotated-codes.ts';
import { EXAM_CODE_LENGTH, newShortCode } from '../security/short-code.ts';
import type { Repos } from '../ports/repositories.ts';

/** A fresh short code no exam has (checked in the writing unit of work; the unique index backs it). */
export async function freeExamCode(r: Repos): Promise<string> {
  for (;;) {
    const code = newShortCode(EXAM_CODE_LENGTH);
    if (!(await r.exams.findByCode(code))) return code;
  }
}

export interface ProvisioningDeps {
  db: Database;
  now: () => number;
  accessCodeHash: (code: string) => string;
}

const toExam = (e: ExamRecord): Exam => ({
  id: e.id,
  code: e.code,
  status: e.status,
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
    const { status, questions, ...rest } = input;
    const exam = { ...rest, questions: questions ?? [] };
    return this.d.db.tx(async (r) => {
      const code = await freeExamCode(r);
      const created = await r.exams.create(id, exam, by.userId, now, { code, status: status ?? 'open' });
      await r.audit.append([{ at: now, actorType: 'staff', actorId: by.userId, action: 'exam.created', detail: { examId: id, code, status: created.status, title: input.title, questions: exam.questions.length }, ip }]);
      return toExam(created);
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
