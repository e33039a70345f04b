import type { AnswerRepo } from '../ports/repositories.ts';
import type { AnswerWrite, AnswerWriteResult } from '../ports/types.ts';

interface Pending {
  write: AnswerWrite;
  resolve: (r: AnswerWriteResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: answers that arrive together share one transaction (one fsync). A save's promise
 * resolves only after its transaction committed, so an acknowledged answer is durable.
 */
export class AnswerWriter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly answers: AnswerRepo) {}

  save(write: AnswerWrite): Promise<AnswerWriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Commits everything queued now. Called before any change to a session, so that answers accepted
   * before it are stored before it (the write itself also refuses to land on a finished session).
   */
  async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      const results = await this.answers.saveBatch(batch.map((p) => p.write));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }

  get pending(): number {
    return this.queue.length;
  }
}
