/** What the answer-shape rule needs of a question (the contract's Question fits). */
export interface AnswerQuestion {
  id: string;
  type: 'single' | 'multiple' | 'text';
  options?: readonly { id: string }[];
}

/**
 * Whether `value` fits the question: a text question takes a string, a single-choice one of its
 * option ids, a multiple-choice one a list of distinct option ids; null clears any answer.
 * Returns why not, or null when it fits.
 */
export function answerShapeError(q: AnswerQuestion, value: unknown): string | null {
  if (value === null) return null;
  const options = new Set((q.options ?? []).map((o) => o.id));
  if (q.type === 'text') return typeof value === 'string' ? null : 'a text question takes a string';
  if (q.type === 'single') return typeof value === 'string' && options.has(value) ? null : 'a single-choice question takes one of its option ids';
  const ok = Array.isArray(value) && value.every((v) => typeof v === 'string' && options.has(v)) && new Set(value).size === value.length;
  return ok ? null : 'a multiple-choice question takes a list of distinct option ids';
}
