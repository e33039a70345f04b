export const QUESTION_IDS = ['q1', 'q2', 'q3'] as const;
/** A valid answer for the harness exam's questions, different for every clientSeq. */
export function answerValue(questionId: string, clientSeq: number): unknown {
  if (questionId === 'q1') return clientSeq % 2 ? 'a' : 'b';
  if (questionId === 'q2') return clientSeq % 2 ? ['two'] : ['two', 'three'];
  return `Recursion, draft ${clientSeq}: a function defined in terms of itself, with a base case that stops it.`;
}

