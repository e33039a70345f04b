/**
 * Where heartbeats land: last sign of life and the highest signed seq per attempt.
 * In memory by default (flushed to the database in batches); Redis when scaled out.
 */
export interface PresenceEntry {
  lastSeenAt: number;
  seq: number;
}

export interface Presence {
  /**
   * Accepts `seq` only if it is higher than any seen for the attempt (atomically), and records the
   * beat. Returns false for a replayed or out-of-order seq.
   */
  advance(attemptId: string, seq: number, at: number, floorSeq: number): boolean;
  /** Marks the attempt alive now without a seq (start, resume, recovery). */
  touch(attemptId: string, at: number, floorSeq: number): void;
  get(attemptId: string): PresenceEntry | undefined;
  forget(attemptId: string): void;
  /** Entries changed since the last drain, for the batched flush. */
  drainDirty(): { attemptId: string; lastSeenAt: number; seq: number; beats: number }[];
}
