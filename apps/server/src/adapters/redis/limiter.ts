import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FailureCounter, LimiterFactory } from '../../ports/limiter.ts';
import { MemoryLimiters } from '../memory/limiter.ts';
import type { Keys } from './connection.ts';

// KEYS: window hash. ARGV: now, window ms. A fixed window on the caller's clock (so every process
// and the tests agree on time); the key expires a window after its last failure.
const FAIL = `
local start = tonumber(redis.call('HGET', KEYS[1], 'start') or '-1')
local now = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
if start < 0 or now - start >= win then
  redis.call('HSET', KEYS[1], 'start', now, 'count', 1)
else
  redis.call('HINCRBY', KEYS[1], 'count', 1)
end
redis.call('PEXPIRE', KEYS[1], win * 2)
return 1`;

class RedisFailureCounter implements FailureCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (key: string) => string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    /** Counts in this process while Redis cannot be reached (the "insurance"): limits still hold. */
    private readonly insurance: FailureCounter,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  private async guarded<T>(what: string, fn: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.log.warn({ err, what }, 'Redis unavailable: failure counting falls back to this process');
      return fallback();
    }
  }

  retryAfterMs(key: string): Promise<number> {
    return this.guarded(
      'limiter-check',
      async () => {
        const [start, count] = await this.redis.hmget(this.keyOf(key), 'start', 'count');
        const t = this.now();
        const shared = start === null || t - Number(start) >= this.windowMs || Number(count) < this.limit ? 0 : Math.max(1, Number(start) + this.windowMs - t);
        return Math.max(shared, await this.insurance.retryAfterMs(key));
      },
      () => this.insurance.retryAfterMs(key),
    );
  }

  fail(key: string): Promise<void> {
    return this.guarded(
      'limiter-fail',
      async () => {
        await this.redis.eval(FAIL, 1, this.keyOf(key), this.now(), this.windowMs);
      },
      () => this.insurance.fail(key),
    );
  }

  async clear(key: string): Promise<void> {
    await this.insurance.clear(key);
    await this.redis.del(this.keyOf(key));
  }
}

/** Failure counts shared by every instance, with an in-process insurance counter while Redis is down. */
export class RedisLimiters implements LimiterFactory {
  private readonly insurance: MemoryLimiters;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly now: () => number,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.insurance = new MemoryLimiters(now);
  }

  counter(name: string, limit: number, windowMs: number): FailureCounter {
    return new RedisFailureCounter(this.redis, (key) => this.keys.k('limit', name, key), limit, windowMs, this.now, this.insurance.counter(name, limit, windowMs), this.log);
  }
}
