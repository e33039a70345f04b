import type { Store } from '../ports/store.ts';
import type { AnswerWrite, AnswerWriteResult } from '../ports/types.ts';

interface Pending {
  write: AnswerWrite;
  resolve: (r: AnswerWriteResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: answers that arrive while a commit is pending share one transaction (one fsync).
 * A save's promise resolves only after its transaction committed, so an acknowledged answer is durable.
 */
export class AnswerWriter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly store: Store) {}

  save(write: AnswerWrite): Promise<AnswerWriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (called before any state change so no queued answer lands after it). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      const results = this.store.saveAnswers(batch.map((p) => p.write));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }

  get pending(): number {
    return this.queue.length;
  }
}
