import type { KioskAnswer } from '@invigil/contract';

/**
 * The answers the kiosk shows for the attempt running here: the server's (read back after a
 * recovery or a transfer) overlaid with this device's newer ones. It holds one attempt at a time
 * and says which: writes for any other attempt are ignored, and reads for any other attempt (or
 * none) answer nothing, so one candidate's answers can never be shown in another's exam.
 */
export class AnswerCache {
  private attemptId: string | null = null;
  private readonly byQuestion = new Map<string, KioskAnswer>();

  /** Holds `attemptId` from now on; a different attempt than the one held forgets everything first. */
  scope(attemptId: string): void {
    if (this.attemptId === attemptId) return;
    this.byQuestion.clear();
    this.attemptId = attemptId;
  }

  /** Forgets everything (the attempt ended, or the candidate signed out). */
  clear(): void {
    this.byQuestion.clear();
    this.attemptId = null;
  }

  /**
   * Keeps `a` unless a newer value of the question is held: a higher clientSeq wins, and at the same
   * clientSeq the server's acknowledged one. Ignored when `attemptId` is not the attempt held.
   */
  put(attemptId: string, a: KioskAnswer): void {
    if (attemptId !== this.attemptId) return;
    const held = this.byQuestion.get(a.questionId);
    if (!held || held.clientSeq < a.clientSeq || (held.clientSeq === a.clientSeq && a.synced)) this.byQuestion.set(a.questionId, { ...a });
  }

  /** The server acknowledged this value (nothing changes if a newer one is held). */
  markSynced(attemptId: string, questionId: string, clientSeq: number): void {
    if (attemptId !== this.attemptId) return;
    const held = this.byQuestion.get(questionId);
    if (held && held.clientSeq === clientSeq) held.synced = true;
  }

  /** The answers of `attemptId`, by question id; none when it is not the attempt held. */
  list(attemptId: string | null | undefined): KioskAnswer[] {
    if (!attemptId || attemptId !== this.attemptId) return [];
    return [...this.byQuestion.values()].map((a) => ({ ...a })).sort((x, y) => x.questionId.localeCompare(y.questionId));
  }
}
