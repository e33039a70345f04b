import type { Question } from '@invigil/contract';
import type { Store } from '../ports/store.ts';
import type { ExamRecord } from '../ports/types.ts';

export interface CachedExam extends ExamRecord {
  questionsById: Map<string, Question>;
}

/** Exams are read on every answer save; they change rarely, so they are cached here. */
export class ExamCatalog {
  private readonly cache = new Map<string, CachedExam>();
  constructor(private readonly store: Store) {}

  get(id: string): CachedExam | undefined {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const exam = this.store.getExam(id);
    if (!exam) return undefined;
    const cached = { ...exam, questionsById: new Map(exam.questions.map((q) => [q.id, q])) };
    this.cache.set(id, cached);
    return cached;
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }
}
