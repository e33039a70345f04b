import type { FailureCounter, LimiterFactory } from '../../ports/limiter.ts';

/** Fixed-window failure counts of one process, on the injected clock. */
class MemoryFailureCounter implements FailureCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  retryAfterMs(key: string): Promise<number> {
    const w = this.windows.get(key);
    const t = this.now();
    if (!w || t - w.start >= this.windowMs || w.count < this.limit) return Promise.resolve(0);
    return Promise.resolve(Math.max(1, w.start + this.windowMs - t));
  }

  fail(key: string): Promise<void> {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) this.windows.set(key, { start: t, count: 1 });
    else w.count += 1;
    if (this.windows.size > 100_000) this.prune(t);
    return Promise.resolve();
  }

  clear(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}

export class MemoryLimiters implements LimiterFactory {
  constructor(private readonly now: () => number) {}
  counter(_name: string, limit: number, windowMs: number): FailureCounter {
    return new MemoryFailureCounter(limit, windowMs, this.now);
  }
}
