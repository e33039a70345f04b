import type { Throttle } from '../../ports/throttle.ts';

export class MemoryThrottle implements Throttle {
  private readonly last = new Map<string, number>();

  take(key: string, windowMs: number, now: number): Promise<boolean> {
    const at = this.last.get(key);
    if (at !== undefined && now - at < windowMs) return Promise.resolve(false);
    if (this.last.size > 100_000) this.last.clear(); // a throttle: forgetting costs one extra alert
    this.last.set(key, now);
    return Promise.resolve(true);
  }
}
