import type { InstructionHints } from '../../ports/instruction-hints.ts';

export class MemoryInstructionHints implements InstructionHints {
  private readonly marks = new Map<string, number>();
  private n = 0;

  mark(attemptId: string): Promise<void> {
    this.marks.set(attemptId, ++this.n);
    return Promise.resolve();
  }

  peek(attemptId: string): Promise<string | null> {
    const m = this.marks.get(attemptId);
    return Promise.resolve(m === undefined ? null : String(m));
  }

  clear(attemptId: string, token: string): Promise<void> {
    if (String(this.marks.get(attemptId)) === token) this.marks.delete(attemptId);
    return Promise.resolve();
  }
}
