/**
 * Counts failures per key in a window (wrong passwords, access codes, recovery tokens, resume
 * codes). Memory on one process; Redis so that every instance shares one count.
 */
export interface FailureCounter {
  /** Milliseconds until the key may try again; 0 when it is not over its limit. */
  retryAfterMs(key: string): Promise<number>;
  /** Counts one failure. */
  fail(key: string): Promise<void>;
  /** Forgets the key's failures (staff clearing a throttle). */
  clear(key: string): Promise<void>;
}

export interface LimiterFactory {
  /** A counter allowing `limit` failures per `windowMs`; `name` keeps counters apart. */
  counter(name: string, limit: number, windowMs: number): FailureCounter;
}
