import type { ArchiveScoring, Question } from '@invigil/contract';

/** The rule, as written into every archive. */
export const SCORING_RULE =
  'Auto-scoring at sealing. single: full points (default 1) when the answer is the one keyed option, else 0. ' +
  'multiple: full points only when the chosen set equals the keyed set exactly (order ignored), else 0; ' +
  'no partial credit, no negative marking. No answer, null or an empty selection is "unanswered" and scores 0. ' +
  'text questions, and objective ones without a usable key (single: exactly one keyed option; multiple: at least one), ' +
  'are not auto-scored: they count in manualReview, not in maxScore.';

type Scored = ArchiveScoring['questions'][number];

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function scoreOne(q: Question, answered: boolean, value: unknown): Scored {
  const points = q.points ?? 1;
  const base = { questionId: q.id, type: q.type, points };
  const key = q.correct ?? [];
  const usableKey = q.type === 'single' ? key.length === 1 : q.type === 'multiple' ? key.length > 0 : false;
  if (!usableKey) return { ...base, awarded: null, outcome: 'needs_review' };
  if (!answered || value === null || (Array.isArray(value) && value.length === 0) || value === '') return { ...base, awarded: 0, outcome: 'unanswered' };
  let right = false;
  if (q.type === 'single') {
    right = typeof value === 'string' && value === key[0];
  } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    const chosen = new Set(value as string[]);
    const wanted = new Set(key);
    right = chosen.size === wanted.size && [...chosen].every((v) => wanted.has(v));
  }
  return { ...base, awarded: right ? points : 0, outcome: right ? 'correct' : 'incorrect' };
}

/** Scores an attempt's answers against the exam's keys (see SCORING_RULE). */
export function scoreAttempt(questions: readonly Question[], answers: ReadonlyMap<string, unknown>): ArchiveScoring {
  const scored = questions.map((q) => scoreOne(q, answers.has(q.id), answers.get(q.id)));
  let score = 0;
  let maxScore = 0;
  let manualQuestions = 0;
  let manualPoints = 0;
  for (const s of scored) {
    if (s.awarded === null) {
      manualQuestions += 1;
      manualPoints += s.points;
    } else {
      score += s.awarded;
      maxScore += s.points;
    }
  }
  return {
    rule: SCORING_RULE,
    score: round(score),
    maxScore: round(maxScore),
    manualReview: { questions: manualQuestions, points: round(manualPoints) },
    questions: scored,
  };
}
