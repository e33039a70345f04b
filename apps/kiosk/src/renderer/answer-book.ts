import type { AnswerValue, KioskAnswer, KioskError, KioskEvent } from '@invigil/contract';
import { invoke, type KioskBridge } from './kiosk-api.ts';

/** Where one question's answer is, as the candidate is told. */
export type SaveState = 'empty' | 'saving' | 'local' | 'server' | 'error';

export interface QuestionAnswer {
  value: AnswerValue;
  state: SaveState;
  /** the clientSeq of the newest value saved on this computer */
  clientSeq: number;
  error: KioskError | null;
}

/**
 * The candidate's answers in the UI, for one attempt (`attemptId`; a new attempt or candidate gets a
 * new book, see AnswerBooks). Every change is handed to the agent (`saveAnswer`); while one
 * save of a question is on its way the newest value waits and goes next (no timers, nothing lost,
 * at most one fsync in flight per question). A question is "saved on this computer" once the agent
 * answered (its outbox is fsynced) and "saved to server" when a `synced` event for that value came.
 */
export class AnswerBook {
  private readonly answers = new Map<string, QuestionAnswer>();
  private readonly inFlight = new Set<string>();
  private readonly waiting = new Map<string, AnswerValue>();
  /** Highest clientSeq the server acknowledged per question (a `synced` event can overtake the save's answer). */
  private readonly syncedSeq = new Map<string, number>();
  private listeners = new Set<() => void>();
  private version = 0;

  constructor(
    private readonly k: KioskBridge,
    /** The attempt these answers belong to (null: none running). */
    readonly attemptId: string | null = null,
  ) {}

  get rev(): number {
    return this.version;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  get(questionId: string): QuestionAnswer | undefined {
    return this.answers.get(questionId);
  }

  /** Questions with a non-empty answer. */
  answeredCount(): number {
    let n = 0;
    for (const a of this.answers.values()) if (isAnswered(a.value)) n++;
    return n;
  }

  /**
   * Replaces what the UI knows with the agent's view (after start, a recovery or a transfer). The
   * agent says whose answers they are: another attempt's are never taken in.
   */
  async reload(): Promise<void> {
    const r = await invoke(this.k, 'getAnswers', {});
    if (!r.ok || r.data.attemptId !== this.attemptId) return;
    for (const a of r.data.answers) this.mergeFromAgent(a);
    this.changed();
  }

  private mergeFromAgent(a: KioskAnswer): void {
    const mine = this.answers.get(a.questionId);
    // A value typed here and not yet handed over wins over the agent's older one.
    if (mine && (this.inFlight.has(a.questionId) || this.waiting.has(a.questionId))) return;
    if (mine && mine.clientSeq > a.clientSeq) return;
    this.answers.set(a.questionId, { value: a.value, clientSeq: a.clientSeq, state: a.synced ? 'server' : 'local', error: null });
  }

  /** The candidate changed an answer: show it at once, save it now (or right after the save in flight). */
  set(questionId: string, value: AnswerValue): void {
    const prev = this.answers.get(questionId);
    this.answers.set(questionId, { value, clientSeq: prev?.clientSeq ?? 0, state: 'saving', error: null });
    this.changed();
    if (this.inFlight.has(questionId)) {
      this.waiting.set(questionId, value);
      return;
    }
    void this.save(questionId, value);
  }

  private async save(questionId: string, value: AnswerValue): Promise<void> {
    this.inFlight.add(questionId);
    const r = await invoke(this.k, 'saveAnswer', { questionId, value });
    this.inFlight.delete(questionId);
    const next = this.waiting.get(questionId);
    this.waiting.delete(questionId);
    const cur = this.answers.get(questionId);
    if (cur) {
      if (r.ok) {
        cur.clientSeq = Math.max(cur.clientSeq, r.data.clientSeq);
        if (next === undefined && cur.state === 'saving') cur.state = (this.syncedSeq.get(questionId) ?? -1) >= cur.clientSeq ? 'server' : 'local';
      } else if (next === undefined) {
        cur.state = 'error';
        cur.error = r.error;
      }
    }
    this.changed();
    if (next !== undefined) void this.save(questionId, next);
  }

  /** Agent events that move a question from "on this computer" to "on the server". */
  onEvent(e: KioskEvent): void {
    if (e.type === 'synced') {
      this.syncedSeq.set(e.questionId, Math.max(this.syncedSeq.get(e.questionId) ?? -1, e.clientSeq));
      const a = this.answers.get(e.questionId);
      if (a && a.clientSeq === e.clientSeq && a.state === 'local') {
        a.state = 'server';
        this.changed();
      }
    } else if (e.type === 'answer-rejected') {
      const a = this.answers.get(e.questionId);
      if (a && a.clientSeq === e.clientSeq) {
        a.state = 'error';
        a.error = e.error;
        this.changed();
      }
    }
  }

  /** Is anything still only on this computer (or still being written)? */
  unsentCount(): number {
    let n = 0;
    for (const a of this.answers.values()) if (a.state === 'local' || a.state === 'saving') n++;
    return n;
  }
}

export function isAnswered(v: AnswerValue | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.length > 0;
  return v.trim().length > 0;
}

/**
 * The book of the attempt the agent is on now: a new, empty one whenever that attempt changes (the
 * next candidate, a new attempt, a sign-out), so answers and save marks of one attempt are never
 * shown in another. Follow every state the agent pushes, before anything else reads it.
 */
export class AnswerBooks {
  private book: AnswerBook;

  constructor(private readonly k: KioskBridge) {
    this.book = new AnswerBook(k, null);
  }

  /** The book for `attemptId` (the same one as long as the attempt stays). */
  follow(attemptId: string | null): AnswerBook {
    if (this.book.attemptId !== attemptId) this.book = new AnswerBook(this.k, attemptId);
    return this.book;
  }

  get current(): AnswerBook {
    return this.book;
  }
}
