/**
 * Which attempts have staff instructions waiting, so a heartbeat looks in the database only when
 * there may be something to deliver. A hint never decides anything: a stale "maybe" costs one read.
 */
export interface InstructionHints {
  mark(attemptId: string): Promise<void>;
  /** A token when there may be pending instructions, null when surely not. */
  peek(attemptId: string): Promise<string | null>;
  /** Clears the hint, unless it was marked again after `token` was read (compare-and-delete). */
  clear(attemptId: string, token: string): Promise<void>;
}
