import type { Question } from '@invigil/contract';
import { describe, expect, it } from 'vitest';
import { scoreAttempt } from './scoring.ts';

const opts = (...ids: string[]) => ids.map((id) => ({ id, label: id.toUpperCase() }));
const Q: Question[] = [
  { id: 's1', type: 'single', prompt: 'p', options: opts('a', 'b'), correct: ['a'] },
  { id: 's2', type: 'single', prompt: 'p', options: opts('a', 'b'), correct: ['b'], points: 3 },
  { id: 'm1', type: 'multiple', prompt: 'p', options: opts('a', 'b', 'c'), correct: ['a', 'c'], points: 2 },
  { id: 't1', type: 'text', prompt: 'p', points: 5 },
  { id: 'nokey', type: 'single', prompt: 'p', options: opts('a', 'b') },
  { id: 'twokeys', type: 'single', prompt: 'p', options: opts('a', 'b'), correct: ['a', 'b'] },
];

const outcome = (answers: Record<string, unknown>) => {
  const r = scoreAttempt(Q, new Map(Object.entries(answers)));
  return { r, by: Object.fromEntries(r.questions.map((q) => [q.questionId, [q.outcome, q.awarded]])) };
};

describe('auto-scoring', () => {
  it('single scores its points (default 1) for the keyed option; multiple only for the exact set; text goes to manual review', () => {
    const { r, by } = outcome({ s1: 'a', s2: 'b', m1: ['c', 'a'], t1: 'an essay', nokey: 'a', twokeys: 'a' });
    expect(by).toEqual({ s1: ['correct', 1], s2: ['correct', 3], m1: ['correct', 2], t1: ['needs_review', null], nokey: ['needs_review', null], twokeys: ['needs_review', null] });
    expect(r.score).toBe(6);
    expect(r.maxScore).toBe(6);
    expect(r.manualReview).toEqual({ questions: 3, points: 7 });
  });

  it('no partial credit: a subset or superset of the keyed set scores 0', () => {
    expect(outcome({ m1: ['a'] }).by.m1).toEqual(['incorrect', 0]);
    expect(outcome({ m1: ['a', 'b', 'c'] }).by.m1).toEqual(['incorrect', 0]);
    expect(outcome({ m1: ['a', 'b'] }).by.m1).toEqual(['incorrect', 0]);
  });

  it('a wrong option, a wrong shape, no answer, null or an empty selection scores 0', () => {
    const { r, by } = outcome({ s1: 'b', s2: ['b'], m1: [] });
    expect(by.s1).toEqual(['incorrect', 0]);
    expect(by.s2).toEqual(['incorrect', 0]);
    expect(by.m1).toEqual(['unanswered', 0]);
    expect(outcome({ s1: null }).by.s1).toEqual(['unanswered', 0]);
    expect(outcome({}).by.s1).toEqual(['unanswered', 0]);
    expect(r.score).toBe(0);
    expect(r.maxScore).toBe(6);
  });

  it('fractional points add up without float noise', () => {
    const qs: Question[] = [0.1, 0.2].map((points, i) => ({ id: `q${i}`, type: 'single', prompt: 'p', options: opts('a'), correct: ['a'], points }));
    expect(scoreAttempt(qs, new Map([['q0', 'a'], ['q1', 'a']])).score).toBe(0.3);
  });
});
