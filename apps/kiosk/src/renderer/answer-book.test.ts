import type { KioskResult } from '@invigil/contract';
import { describe, expect, it } from 'vitest';
import { AnswerBook, AnswerBooks } from './answer-book.ts';
import type { KioskBridge } from './kiosk-api.ts';

/** A bridge whose saveAnswer calls wait until the test lets them answer, in order. */
function fakeBridge() {
  let seq = 0;
  const pending: { questionId: string; value: unknown; resolve: () => void }[] = [];
  const saved: { questionId: string; value: unknown; clientSeq: number }[] = [];
  const k = {
    saveAnswer: (req: { questionId: string; value: unknown }) =>
      new Promise<KioskResult<{ questionId: string; clientSeq: number; savedLocallyAt: number }>>((resolve) => {
        pending.push({
          ...req,
          resolve: () => {
            const clientSeq = ++seq;
            saved.push({ questionId: req.questionId, value: req.value, clientSeq });
            resolve({ ok: true, data: { questionId: req.questionId, clientSeq, savedLocallyAt: 0 } });
          },
        });
      }),
    getAnswers: async () => ({ ok: true, data: { attemptId: null, answers: [] } }),
  } as unknown as KioskBridge;
  const flush = async () => {
    await new Promise((r) => setTimeout(r, 0));
  };
  return { k, pending, saved, flush };
}

describe('AnswerBook (what each question says about where its answer is)', () => {
  it('typing fast: every value is handed over in order, the last one wins, one save in flight at a time', async () => {
    const f = fakeBridge();
    const book = new AnswerBook(f.k);
    book.set('q3', 'A');
    book.set('q3', 'AB');
    book.set('q3', 'ABC');
    expect(f.pending).toHaveLength(1);
    expect(book.get('q3')).toMatchObject({ value: 'ABC', state: 'saving' });
    f.pending.shift()!.resolve();
    await f.flush();
    // "AB" was overtaken by "ABC": only the newest waiting value goes next.
    expect(f.pending.map((p) => p.value)).toEqual(['ABC']);
    expect(book.get('q3')!.state).toBe('saving');
    f.pending.shift()!.resolve();
    await f.flush();
    expect(f.saved.map((s) => s.value)).toEqual(['A', 'ABC']);
    expect(book.get('q3')).toMatchObject({ value: 'ABC', state: 'local', clientSeq: 2 });
    book.onEvent({ type: 'synced', questionId: 'q3', clientSeq: 1, at: 0 });
    expect(book.get('q3')!.state).toBe('local'); // an older value reached the server, not this one
    book.onEvent({ type: 'synced', questionId: 'q3', clientSeq: 2, at: 0 });
    expect(book.get('q3')!.state).toBe('server');
  });

  it('a synced event that overtakes the save answer still ends in "saved to server"', async () => {
    const f = fakeBridge();
    const book = new AnswerBook(f.k);
    book.set('q1', 'mars');
    book.onEvent({ type: 'synced', questionId: 'q1', clientSeq: 1, at: 0 });
    f.pending.shift()!.resolve();
    await f.flush();
    expect(book.get('q1')).toMatchObject({ state: 'server', clientSeq: 1 });
  });

  it('a rejected answer says so', async () => {
    const f = fakeBridge();
    const book = new AnswerBook(f.k);
    book.set('q9', 'x');
    f.pending.shift()!.resolve();
    await f.flush();
    book.onEvent({ type: 'answer-rejected', questionId: 'q9', clientSeq: 1, error: { code: 'NOT_FOUND', message: 'no such question' } });
    expect(book.get('q9')).toMatchObject({ state: 'error', error: { code: 'NOT_FOUND' } });
  });

  it("one book per attempt: the next attempt starts empty, and another attempt's answers from the agent are never taken in", async () => {
    const f = fakeBridge();
    let sheet: { attemptId: string | null; answers: unknown[] } = { attemptId: 'att-a', answers: [{ questionId: 'q1', value: 'mars', clientSeq: 1, synced: true }] };
    (f.k as any).getAnswers = async () => ({ ok: true, data: sheet });
    const books = new AnswerBooks(f.k);
    const a = books.follow('att-a');
    await a.reload();
    expect(a.get('q1')).toMatchObject({ value: 'mars', state: 'server' });
    expect(a.answeredCount()).toBe(1);
    expect(books.follow('att-a')).toBe(a); // the same attempt keeps its book

    expect(books.follow(null).answeredCount()).toBe(0); // signed out
    const b = books.follow('att-b');
    expect(b).not.toBe(a);
    expect(books.current).toBe(b);
    await b.reload(); // the agent still answers for att-a (a late reply): not B's
    expect(b.get('q1')).toBeUndefined();
    expect(b.answeredCount()).toBe(0);
    sheet = { attemptId: 'att-b', answers: [] };
    await b.reload();
    expect(b.answeredCount()).toBe(0);
  });
});
