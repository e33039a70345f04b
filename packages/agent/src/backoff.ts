/**
 * Exponential backoff with "equal jitter": the n-th wait is d/2 + random·d/2 where
 * d = min(maxMs, baseMs·2^n). Never zero (no hot loop), never above maxMs, and kiosks that lost
 * the network together (a whole room) do not all come back in the same millisecond.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly o: BackoffOptions) {
    if (!(o.baseMs > 0) || !(o.maxMs >= o.baseMs)) throw new Error('backoff: need 0 < baseMs <= maxMs');
    this.random = o.random ?? Math.random;
  }

  /** The wait before the next try; each call grows it. */
  next(): number {
    const d = Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(d / 2 + this.random() * (d / 2));
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/**
 * Defaults derived from the heartbeat interval the server gives: start at a quarter interval
 * (100 ms – 1 s) and grow to one interval (1 s – 15 s). Offline, a kiosk thus retries no more
 * often than it beats when online.
 */
export function backoffFor(heartbeatIntervalMs: number): BackoffOptions {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const baseMs = clamp(Math.round(heartbeatIntervalMs / 4), 100, 1_000);
  return { baseMs, maxMs: Math.max(baseMs, clamp(heartbeatIntervalMs, 1_000, 15_000)) };
}
