import { AppError } from '../http/errors.ts';

/**
 * Counts failures per key in a fixed window. Only failures count, so a whole exam center
 * behind one address can still log in, while guessing is cut off quickly.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Throws 429 with Retry-After while the key is over its limit. */
  check(key: string): void {
    const w = this.windows.get(key);
    const t = this.now();
    if (!w || t - w.start >= this.windowMs) return;
    if (w.count >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + this.windowMs - t) / 1000));
      throw new AppError(429, 'RATE_LIMITED', 'too many failed attempts; try again later', { retryAfterSeconds: retryAfter }, { 'Retry-After': String(retryAfter) });
    }
  }

  fail(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) this.windows.set(key, { start: t, count: 1 });
    else w.count += 1;
    if (this.windows.size > 100_000) this.prune(t);
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
