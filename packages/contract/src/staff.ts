import { z } from 'zod';
import { Id, IsoDateTime, Slug } from './common.ts';

export const Role = z.enum(['admin', 'proctor', 'candidate']);
export type Role = z.infer<typeof Role>;
export const StaffRole = z.enum(['admin', 'proctor']);
export type StaffRole = z.infer<typeof StaffRole>;

export const StaffLoginRequest = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(500),
  /**
   * At the role's session limit with "deny new" (409 LOGIN_LIMIT_REACHED, details.canEndOldest):
   * sign in anyway and end your oldest session. Honoured only once the password is right.
   */
  endOldestSession: z.boolean().optional(),
});
export type StaffLoginRequest = z.infer<typeof StaffLoginRequest>;

export const StaffUser = z.object({ id: Id, username: z.string(), role: StaffRole });
export type StaffUser = z.infer<typeof StaffUser>;

export const StaffLoginResponse = z.object({
  token: z.string(),
  expiresAt: IsoDateTime,
  user: StaffUser,
});
export type StaffLoginResponse = z.infer<typeof StaffLoginResponse>;

export const QuestionType = z.enum(['single', 'multiple', 'text']);
export type QuestionType = z.infer<typeof QuestionType>;

export const QuestionOption = z.object({
  id: Slug,
  label: z.string().min(1).max(2_000),
});

export const Question = z
  .object({
    id: Slug,
    type: QuestionType,
    prompt: z.string().min(1).max(20_000),
    options: z.array(QuestionOption).min(1).max(50).optional(),
    points: z.number().finite().min(0).max(1_000).optional(),
    /** Objective questions: the option id(s) that score. Never sent to candidates. */
    correct: z.array(Slug).max(50).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.type !== 'text' && !q.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${q.type} question needs options` });
    }
    if (q.options) {
      const ids = q.options.map((o) => o.id);
      if (new Set(ids).size !== ids.length) {
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'option ids must be unique' });
      }
      for (const c of q.correct ?? []) {
        if (!ids.includes(c)) {
          ctx.addIssue({ code: 'custom', path: ['correct'], message: `unknown option id ${c}` });
        }
      }
    }
  });
export type Question = z.infer<typeof Question>;

export const CreateExamRequest = z
  .object({
    title: z.string().trim().min(1).max(300),
    durationMinutes: z.number().int().min(1).max(24 * 60),
    /** Required for an open exam; a draft may be created without (its questions come later, by PATCH). */
    questions: z.array(Question).max(1_000).optional(),
    /** Beyond PROTOCOL: 'draft' creates an exam candidates cannot see until it is opened (default 'open'). */
    status: z.enum(['draft', 'open']).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.questions === undefined) {
      if (e.status !== 'draft') ctx.addIssue({ code: 'custom', path: ['questions'], message: 'questions are required (only a draft may be created without them)' });
      return;
    }
    const ids = e.questions.map((q) => q.id);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: 'custom', path: ['questions'], message: 'question ids must be unique' });
    }
  });
export type CreateExamRequest = z.infer<typeof CreateExamRequest>;
/** What a store is given to create an exam: the request with its questions (none yet for a draft). */
export type NewExam = Omit<CreateExamRequest, 'questions' | 'status'> & { questions: Question[] };

export const Exam = z.object({
  id: Id,
  /** The short code candidates may type instead of the id (6 characters, upper case). */
  code: z.string(),
  status: z.enum(['draft', 'open', 'closed']),
  title: z.string(),
  durationMinutes: z.number().int(),
  questions: z.array(Question),
  createdAt: IsoDateTime,
});
export type Exam = z.infer<typeof Exam>;

/** A question as a candidate sees it: no scoring key. */
export const CandidateQuestion = z.object({
  id: Slug,
  type: QuestionType,
  prompt: z.string(),
  options: z.array(QuestionOption).optional(),
  points: z.number().optional(),
});
export type CandidateQuestion = z.infer<typeof CandidateQuestion>;

export const CandidateExamView = z.object({
  id: Id,
  title: z.string(),
  durationMinutes: z.number().int(),
  questions: z.array(CandidateQuestion),
});
export type CandidateExamView = z.infer<typeof CandidateExamView>;

/**
 * The exam's cover page: what a candidate may see before the session starts (no questions), so the
 * kiosk can ask "is this you, is this your exam?". Sent in the `details.cover` of GET /exams/{id}'s
 * 403 QUESTIONS_NOT_AVAILABLE.
 */
export const ExamCover = z.object({
  id: Id,
  title: z.string(),
  durationMinutes: z.number().int(),
  candidate: z.object({ id: z.string(), name: z.string() }),
  /** Extra time planned for this candidate at registration (an accommodation), when the server has it. */
  plannedExtraMinutes: z.number().int().min(0).optional(),
});
export type ExamCover = z.infer<typeof ExamCover>;

export const CandidateRegistration = z.object({
  candidateId: Slug,
  name: z.string().trim().min(1).max(300),
  accessCode: z.string().min(4).max(200),
});
export type CandidateRegistration = z.infer<typeof CandidateRegistration>;

export const RegisterCandidatesRequest = z.object({
  candidates: z.array(CandidateRegistration).min(1).max(10_000),
});
export type RegisterCandidatesRequest = z.infer<typeof RegisterCandidatesRequest>;

export const RegisterCandidatesResponse = z.object({ registered: z.number().int() });
export type RegisterCandidatesResponse = z.infer<typeof RegisterCandidatesResponse>;
