import type { CopyCheck } from './stamps.ts';
import type { PresenceFlush } from './types.ts';

/**
 * Where heartbeats land: the last sign of life and the highest signed seq per attempt. Memory on
 * one process (flushed to the database in batches); Redis when several processes serve one exam.
 */
export interface PresenceEntry {
  lastSeenAt: number;
  seq: number;
}

/** What `advanceIfCurrent` did; `hint` only when the seq was taken (null otherwise, or when none). */
export interface HeldAdvance {
  outcome: 'taken' | 'replayed' | 'stale';
  hint: string | null;
}

export interface Presence {
  /**
   * Accepts `seq` only if it is higher than every seq seen for the attempt and than `floorSeq`
   * (the durable floor from the database), atomically, and records the beat. False for a replayed
   * or out-of-order seq.
   */
  advance(attemptId: string, seq: number, at: number, floorSeq: number): Promise<boolean>;
  /**
   * `advance`, made only while every copy the caller decided on (the session, and the login when it
   * was not checked) is still the current one (its stamp unchanged), in the same atomic step:
   * 'stale' (nothing taken) when one is not. When the seq is taken, the attempt's instruction hint
   * (InstructionHints.peek) is read in that step too. Only where copies are checked by stamps (Redis).
   */
  advanceIfCurrent?(attemptId: string, seq: number, at: number, floorSeq: number, checks: readonly CopyCheck[]): Promise<HeldAdvance>;
  /** Marks the attempt alive now without a seq (start, resume, recovery, unlock). */
  touch(attemptId: string, at: number, floorSeq: number): Promise<void>;
  get(attemptId: string): Promise<PresenceEntry | undefined>;
  getMany(attemptIds: readonly string[]): Promise<Map<string, PresenceEntry>>;
  /** Forgets the attempt (it ended, or a transfer bound a new device whose seq starts again at 1). */
  forget(attemptId: string): Promise<void>;
  /** Entries changed since the last drain, for the batched flush to the database. */
  drainDirty(): Promise<PresenceFlush[]>;
}
